//! The SAM template, read as data: each function is granted only its own prefixes, the table,
//! and (trigger, api) the state machine; nothing is granted on `*`; only the functions that call
//! the LLM see its key. `sam validate --lint` runs in CI beside this (infra/validate.sh).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml::Value;

fn template() -> Value {
    let text = std::fs::read_to_string(common::repo().join("infra/template.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// A resource as text: `!Sub "arn:...:${DataBucket}/jobs/*"` -> that string, `!GetAtt X.Arn`
/// -> `GetAtt X.Arn`, `!Ref X` -> `Ref X`.
fn resource_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Tagged(t) => {
            let inner = match &t.value {
                Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other).unwrap(),
            };
            match t.tag.to_string().as_str() {
                "!Sub" => inner,
                tag => format!("{} {inner}", tag.trim_start_matches('!')),
            }
        }
        other => serde_yaml::to_string(other).unwrap(),
    }
}

fn list(v: &Value) -> Vec<Value> {
    match v {
        Value::Sequence(s) => s.clone(),
        other => vec![other.clone()],
    }
}

/// The function binary a function resource deploys: infra/build.sh puts each in
/// `target/lambda/<binary>/`, its `CodeUri`.
fn binary(name: &Value, res: &Value) -> String {
    let uri = res["Properties"]["CodeUri"]
        .as_str()
        .unwrap_or_else(|| panic!("{name:?} has a CodeUri"));
    uri.strip_prefix("../target/lambda/")
        .and_then(|b| b.strip_suffix('/'))
        .unwrap_or_else(|| panic!("{name:?}: CodeUri {uri:?} is not what infra/build.sh builds"))
        .to_string()
}

/// (action, resource) pairs each function is granted by its own policies.
fn grants() -> BTreeMap<String, BTreeSet<(String, String)>> {
    let t = template();
    let mut out = BTreeMap::new();
    for (name, res) in t["Resources"].as_mapping().unwrap() {
        if res["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = binary(name, res);
        let mut set = BTreeSet::new();
        for policy in list(&res["Properties"]["Policies"]) {
            for st in list(&policy["Statement"]) {
                assert_eq!(st["Effect"].as_str(), Some("Allow"), "{binary}: {st:?}");
                for action in list(&st["Action"]) {
                    for r in list(&st["Resource"]) {
                        set.insert((action.as_str().unwrap().to_string(), resource_text(&r)));
                    }
                }
            }
        }
        out.insert(binary, set);
    }
    out
}

const BUCKET: &str = "arn:${AWS::Partition}:s3:::${DataBucket}";

#[test]
fn each_function_gets_only_its_own_prefixes_table_and_state_machine() {
    let grants = grants();
    let s3 = |prefixes: &[(&str, &str)]| -> BTreeSet<(String, String)> {
        prefixes
            .iter()
            .map(|(a, p)| (format!("s3:{a}"), format!("{BUCKET}/{p}")))
            .collect()
    };
    let table = |actions: &[&str]| -> BTreeSet<(String, String)> {
        actions
            .iter()
            .map(|a| (format!("dynamodb:{a}"), "GetAtt StateTable.Arn".to_string()))
            .collect()
    };
    let state = table(&["GetItem", "PutItem", "UpdateItem", "Query"]);
    let start = BTreeSet::from([
        (
            "states:StartExecution".to_string(),
            "Ref PipelineStateMachine".to_string(),
        ),
        (
            "states:DescribeExecution".to_string(),
            "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:execution:${PipelineStateMachine.Name}:*".to_string(),
        ),
    ]);
    let union = |sets: &[&BTreeSet<(String, String)>]| -> BTreeSet<(String, String)> {
        sets.iter().flat_map(|s| s.iter().cloned()).collect()
    };
    let mut want: BTreeMap<&str, BTreeSet<(String, String)>> = BTreeMap::new();
    want.insert(
        "trigger",
        union(&[
            &s3(&[
                ("GetObject", "inbox/*"),
                ("GetObject", "lists/*"),
                ("PutObject", "jobs/*/urls/*"),
                ("PutObject", "rejected/*"),
            ]),
            &state,
            &start,
        ]),
    );
    for (f, input, output) in [
        ("spider", "urls", "raw"),
        ("refiner", "raw", "chunks"),
        ("factory", "chunks", "generated"),
        ("inspector", "generated", "inspected"),
    ] {
        let (i, o) = (format!("jobs/*/{input}/*"), format!("jobs/*/{output}/*"));
        want.insert(
            f,
            union(&[
                &s3(&[("GetObject", &i), ("GetObject", &o), ("PutObject", &o)]),
                &state,
            ]),
        );
    }
    want.insert(
        "shipper",
        union(&[
            &s3(&[("GetObject", "jobs/*"), ("PutObject", "exports/*")]),
            &state,
        ]),
    );
    let mut api = union(&[
        &s3(&[
            ("PutObject", "jobs/*/urls/*"),
            ("GetObject", "lists/*"),
            ("GetObject", "inbox/*"),
            ("GetObject", "exports/*"),
            // Reviews and exports from the dashboard.
            ("GetObject", "jobs/*/inspected/*"),
            ("GetObject", "jobs/*/chunks/*"),
            ("PutObject", "exports/*"),
        ]),
        &state,
        &table(&["DeleteItem"]),
        &start,
    ]);
    api.insert(("s3:ListBucket".to_string(), BUCKET.to_string()));
    want.insert("api", api);

    assert_eq!(
        grants.keys().map(String::as_str).collect::<Vec<_>>(),
        want.keys().copied().collect::<Vec<_>>()
    );
    for (f, got) in &grants {
        for (action, resource) in got {
            assert!(!action.contains('*'), "{f}: wildcard action {action}");
            assert_ne!(resource, "*", "{f}: {action} on every resource");
        }
        assert_eq!(got, &want[f.as_str()], "{f}'s grants");
    }
}

#[test]
fn listing_is_limited_to_exports_and_only_llm_stages_see_the_key() {
    let t = template();
    let api = &t["Resources"]["ApiFunction"]["Properties"]["Policies"];
    let listing: Vec<Value> = list(api)
        .iter()
        .flat_map(|p| list(&p["Statement"]))
        .filter(|s| s["Action"].as_str() == Some("s3:ListBucket"))
        .collect();
    assert_eq!(listing.len(), 1);
    assert_eq!(
        listing[0]["Condition"]["StringLike"]["s3:prefix"].as_str(),
        Some("exports/*"),
        "the API lists exports only"
    );
    for (name, res) in t["Resources"].as_mapping().unwrap() {
        if res["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let vars = &res["Properties"]["Environment"]["Variables"];
        let has_key = vars.get("DATAFACTORY_LLM_API_KEY").is_some();
        let binary = binary(name, res);
        assert_eq!(
            has_key,
            matches!(binary.as_str(), "factory" | "inspector"),
            "{name:?}: only the stages that call the LLM get its key"
        );
        let layers: Vec<String> = list(&res["Properties"]["Layers"])
            .iter()
            .map(resource_text)
            .collect();
        assert_eq!(
            layers.iter().any(|l| l == "Ref VocabLayer"),
            matches!(binary.as_str(), "refiner" | "shipper" | "api"),
            "{name:?}: the functions that count tokens (and only they) get the token tables"
        );
        assert_eq!(
            res["Properties"]["Architectures"][0].as_str(),
            Some("arm64"),
            "{name:?}"
        );
    }
}

/// The vocabulary layer holds what infra/build.sh writes, where the functions look for it.
#[test]
fn the_vocabulary_layer_unpacks_where_the_functions_read() {
    let t = template();
    let layer = &t["Resources"]["VocabLayer"]["Properties"];
    assert_eq!(
        layer["ContentUri"].as_str(),
        Some("../target/lambda/vocab-layer/")
    );
    // Lambda unpacks a layer under /opt.
    let inside = shared::vocab::DEFAULT_DIR.strip_prefix("/opt/").unwrap();
    let build = std::fs::read_to_string(common::repo().join("infra/build.sh")).unwrap();
    assert!(build.contains("layer=\"$root/target/lambda/vocab-layer\""));
    assert!(build.contains(&format!("vocab \"$layer/{inside}\"")));
}

/// The API's routes in API Gateway, in the OpenAPI document, and in the handler agree: a route
/// added to one and not the others would be unreachable, undocumented or a 404.
#[tokio::test]
async fn gateway_routes_openapi_paths_and_the_handler_agree() {
    let t = template();
    let events = t["Resources"]["ApiFunction"]["Properties"]["Events"]
        .as_mapping()
        .unwrap();
    let mut gateway = BTreeSet::new();
    let mut public = BTreeSet::new();
    for (_, ev) in events {
        let p = &ev["Properties"];
        let route = (
            p["Method"].as_str().unwrap().to_uppercase(),
            p["Path"].as_str().unwrap().replace("+}", "}"),
        );
        if p["Auth"]["Authorizer"].as_str() == Some("NONE") {
            public.insert(route.1.clone());
        }
        gateway.insert(route);
    }
    assert_eq!(
        public,
        BTreeSet::from(["/".into(), "/assets/{file}".into(), "/openapi.json".into()]),
        "only the page, its files and the API description are open"
    );
    let doc: serde_json::Value = serde_json::from_str(shared::handlers::api::OPENAPI).unwrap();
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let api_routes: BTreeSet<_> = gateway
        .iter()
        .filter(|(_, p)| p != "/" && !p.starts_with("/assets/"))
        .cloned()
        .collect();
    assert_eq!(
        api_routes, documented,
        "template routes vs openapi.json paths"
    );

    // Each documented route reaches a handler: an unknown job is a 404 naming the job (or a
    // 400 about the body), never "no route".
    let dir = tempfile::tempdir().unwrap();
    let runner = std::sync::Arc::new(
        shared::adapters::local::runner::LocalRunner::open(dir.path()).unwrap(),
    );
    let api = shared::handlers::api::Api {
        ctx: runner.context(std::sync::Arc::new(shared::stages::NoProgress)),
        orchestrator: std::sync::Arc::new(shared::adapters::local::LocalOrchestrator::new(
            runner.clone(),
        )),
        bucket: "local".into(),
        allow_private_network: false,
    };
    for (method, path) in &documented {
        let concrete = path
            .replace("{id}", "01jnosuchjob0000000000000000")
            .replace("{example}", "e")
            .replace("{version}", "1")
            .replace("{file}", "train.jsonl");
        let resp = api
            .handle(&shared::handlers::api::Request {
                method: method.clone(),
                path: concrete.clone(),
                principal: Some("test".into()),
                body: Some("{}".into()),
                ..Default::default()
            })
            .await;
        assert_ne!(
            resp.body["error"]["code"], "not_found",
            "{method} {concrete}: {}",
            resp.body
        );
        assert_ne!(resp.status, 405, "{method} {concrete}");
    }
}
