#!/usr/bin/env python3
"""A fast fake OpenAI-compatible server for measuring the pipeline's own generation overhead.

Answers every chat completion at once with grounded question/answer pairs taken from the
text between triple quotes in the user prompt (the shape of the built-in `qa` template), or a
5/5 judgement for judge prompts. Counts requests; GET /stats returns the count.
Usage: bench/fake_openai.py [PORT]   (default 8799, loopback only)
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNT = 0
LOCK = threading.Lock()


def answer(user: str) -> str:
    if "Rate how faithful" in user:
        return json.dumps({"score": 5, "reason": "supported"})
    parts = user.split('"""')
    text = parts[1] if len(parts) > 2 else user
    sentences = [s.strip() for s in text.replace("\n", " ").split(". ") if len(s.split()) >= 6][:3]
    pairs = [
        {"question": "What is reported about " + " ".join(s.split()[:6]) + "?", "answer": s + "."}
        for s in sentences
    ]
    return json.dumps({"pairs": pairs or [{"question": "What is the text about?", "answer": text[:200]}]})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps({"requests": COUNT}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        global COUNT
        n = int(self.headers.get("content-length", 0))
        req = json.loads(self.rfile.read(n) or b"{}")
        with LOCK:
            COUNT += 1
        user = req.get("messages", [{}, {}])[-1].get("content", "")
        body = json.dumps({
            "id": "chatcmpl-fake", "object": "chat.completion", "model": req.get("model"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer(user)},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(user) // 4, "completion_tokens": 60},
        }).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8799
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
