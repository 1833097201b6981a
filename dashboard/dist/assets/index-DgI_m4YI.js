var e,t,n,r,i,a,o,s,c,l,u=Symbol.for(`pv`),d={},f=[],p=/^m(i|n|o|s|text|space)$/,m=Array.isArray,h=f.slice,g=Object.assign;function _(e){e&&e.parentNode&&e.remove()}function v(e,t,n){var r,i,a,o={},s=arguments.length;for(a in t)a==`key`?r=t[a]:a==`ref`&&typeof e!=`function`?i=t[a]:o[a]=t[a];return s>2&&(o.children=s>3?h.call(arguments,2):n),y(e,o,r,i,null)}function y(n,r,i,a,o){var s={type:n,props:r,key:i,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:u,__v:o||++t,__i:-1,__u:0};return!o&&e.vnode&&e.vnode(s),s}function b(e){return e.children}function x(e,t){this.props=e,this.context=t,this.__g=0}function S(e,t){if(t==null)return e.__&&S(e.__,e.__i+1);for(var n;t<e.__k.length;t++)if((n=e.__k[t])&&n.__e)return n.__e;return typeof e.type!=`function`||e.props.__P?null:S(e)}function C(t){var n,r=t.__v,i=r.__e,a=[],o=[],s=t.__P;s&&((n=g({constructor:u},r)).__v=r.__v+1,e.vnode&&e.vnode(n),N(s,n,r,t.__n,s.namespaceURI,32&r.__u?[i]:null,a,i||S(r),32&r.__u,o),n.__v=r.__v,n.__.__k[n.__i]=n,F(a,n,o),r.__=r.__e=null,n.__e!=i&&w(n))}function w(e){if((e=e.__)&&e.__c&&!e.props.__P)return e.__e=null,e.__k.some(function(t){return t&&(e.__e=t.__e)}),w(e)}function T(t){(8&t.__g||(t.__g|=8,n.push(t),i++))&&r==e.debounceRendering||((r=e.debounceRendering)||queueMicrotask)(E)}function E(){try{for(var e,t=1;n.length;)n.length>t&&n.sort(a),e=n.shift(),t=n.length,8&e.__g&&C(e)}finally{(i=n.length)&&(r||queueMicrotask)(E)}}function ee(e,t,n,r,i,a,o,s,c,l,u){var p,m,h,g,_,v,y=r.__k||f,b=t.length;for(c=D(n,t,y,c,b),p=0;p<b;p++)(h=n.__k[p])!=null&&(m=~h.__i&&y[h.__i]||d,h.__i=p,v=N(e,h,m,i,a,o,s,c,l,u),g=h.__e,(m.ref!=h.ref||8&m.__u)&&(m.ref&&I(m.ref,null,h,m),h.ref&&u.push(h.ref,h.__c||g,h)),_||=g,4&h.__u?(c=O(h,c,e,!m.__v),m.__e&&(m.__e=null)):typeof h.type==`function`&&v!==void 0?c=v:g&&(c=g.nextSibling),h.__u&=-21);return n.__e=_,c}function D(e,t,n,r,i){var a,o,s,c,l,d,f,p,h,g=n.length,_=g,v=0,x=0,C=e.__k=Array(i);for(a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o!=`object`||o.constructor===String?o=C[a]=y(null,o):m(o)?o=C[a]=y(b,{children:o}):o.constructor===u&&o.__b?o=C[a]=y(o.type,o.props,o.key,o.ref,o.__v):C[a]=o,c=a+v,o.__=e,o.__b=e.__b+1,s=null,~(l=o.__i=k(o,n,c,_))&&(_--,(s=n[l])&&(s.__u|=2)),s&&s.__v?(o.__u|=16,l==c-1?v--:l==c+1?v++:l!=c&&(l>c?v--:v++,x=1)):(~l||(i>g?v--:i<g&&v++),typeof o.type!=`function`&&(o.__u|=4))):C[a]=null;if(x){for(d=[],f=[],a=0;a<i;a++)if((o=C[a])&&16&o.__u){for(v=0,p=d.length;v<p;)d[h=v+p>>1]<o.__i?v=h+1:p=h;d[v]=o.__i,f[a]=v+1}for(v=d.length;a--;)f[a]&&(f[a]==v?v--:C[a].__u|=4)}if(_)for(a=0;a<g;a++)!(s=n[a])||2&s.__u||(s.__e==r&&(r=S(s)),L(s,s));return r}function O(e,t,n,r){var i,a,o,s;if(typeof e.type==`function`){if(e.props.__P)return t;if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&(i[a].__=e,t=O(i[a],t,n,!1));return t}for(t&&!t.parentNode&&(t=S(e))&&!t.parentNode&&(t=null),o=e.__e,s=t;s&&s.nodeType==8;)s=s.nextSibling;for(o!=s&&(!r&&n.moveBefore&&o.parentNode?n.moveBefore(o,t):n.insertBefore(o,t||null)),t=o;(t&&=t.nextSibling)&&t.nodeType==8&&!t.data.startsWith(`$s`););return t}function k(e,t,n,r){var i,a=e.key,o=e.type,s=t[n],c=s&&!(2&s.__u);if(s===null&&a==null||c&&a==s.key&&o==s.type)return n;if(r>+!!c){for(i=n-1;i>=0;i--)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i;for(i=n+1;i<t.length;i++)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i}return-1}function A(e,t,n){n??=``,t[0]==`-`?e.setProperty(t,n):e[t]=n}function j(e,t,n,r,i){var a,o;if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||A(e.style,t);if(n)for(t in n)r&&n[t]==r[t]||A(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)typeof n!=`function`&&(n=null),typeof r!=`function`&&(r=null),(e.__e||={})[t]=n,n&&r||(o=l[t]||(l[t]=M(t)),(e.__a||={})[t]=c,a=t!=(t=t.replace(s,`$1`)),(t=t.slice(2))[0]<`a`&&(t=t.toLowerCase()),n?e.addEventListener(t,o,a):e.removeEventListener(t,o,a));else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;return}catch{}if(typeof n==`function`)return;n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n)}}function M(t){return function(n){var r=this.__e;if(r){if(r=r[t],n[o]==null)n[o]=c++;else if(n[o]<this.__a[t])return;return r(e.event?e.event(n):n)}}}function N(t,n,r,i,a,o,s,c,l,d){var p,h,v,y,C,w,T,E,D,O,k,A,j,M,N,F,I,R,z=n.type;if(n.constructor!==u)return null;128&r.__u&&(l=32&r.__u,p=r.__c.__z)&&(n.__u|=l,h=o=[],p.nodeType==8?c=te(p,o):o.push(p),c=o[0]||c),(p=e.__b)&&p(n);n:if(typeof z==`function`){v=s.length;try{if(E=n.props,D=(p=z.prototype)&&p.render,O=(p=z.contextType)&&i[p.__c],k=p?O?O.props.value:p.__:i,(y=r.__c)?(n.__c=y,2&y.__g&&(y.__g|=1)):(D?n.__c=y=new z(E,k):(n.__c=y=new x(E,k),y.constructor=z,y.render=re),O&&O.sub(y),y.state||(y.state={}),y.__n=i,y.__g|=8,y.__h=[],y.__k=[]),D&&(y.__s||(y.__s=y.state),z.getDerivedStateFromProps&&(y.__s==y.state&&(y.__s=g({},y.__s)),g(y.__s,z.getDerivedStateFromProps(E,y.__s)))),C=y.props,w=y.state,y.__v=n,r.__c){if(E!==C&&D&&!z.getDerivedStateFromProps&&y.componentWillReceiveProps&&y.componentWillReceiveProps(E,k),n.__v==r.__v&&!(8&y.__g)||!(4&y.__g)&&y.shouldComponentUpdate&&!1===y.shouldComponentUpdate(E,y.__s,k)){n.__v!=r.__v&&(y.props=E,y.state=y.__s,y.__g&=-9),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(e){e&&(e.__=n)}),f.push.apply(y.__h,y.__k),y.__k=[],y.__h.length&&s.push(y),c=S(r);break n}y.componentWillUpdate&&y.componentWillUpdate(E,y.__s,k),D&&y.componentDidUpdate&&y.__h.push(function(){y.componentDidUpdate(C,w,T)})}else D&&!z.getDerivedStateFromProps&&y.componentWillMount&&y.componentWillMount(),D&&y.componentDidMount&&y.__h.push(y.componentDidMount);y.context=k,y.props=E,y.__P=t,y.__g&=-5,A=e.__r,j=D?25:0;do y.__g&=-9,A&&A(n),p=y.render(y.props,y.state=y.__s,y.context);while(8&y.__g&&++j<25);D&&(f.push.apply(y.__h,y.__k),y.__k=[]),y.state=y.__s,y.getChildContext&&(i=g({},i,y.getChildContext())),D&&r.__c&&y.getSnapshotBeforeUpdate&&(T=y.getSnapshotBeforeUpdate(C,w)),M=p&&p.type===b&&p.key==null?p.props.children:p,E.__P&&(p=c,a=(t=E.__P).namespaceURI,l=o=null,r.props&&r.props.__P!=t&&(r.__k.some(function(e){e&&L(e,e)}),r.__k=null),c=r.__k?S(r,0):null),c=ee(t,m(M)?M:[M],n,r,i,a,o,s,c,l,d),E.__P&&(n.__e=null,c=p),n.__u&=-161,h&&h.some(_),y.__h.length&&s.push(y),1&y.__g&&(y.__g&=-4)}catch(t){if(s.length=v,n.__v=null,l||o){if(t&&t.then){if(n.__u|=128|l,o){for(~(I=o.indexOf(c||void 0))||(I=o.length);(R=o[I-1])&&R.nodeType==8;)I--;for(;I<o.length;I++)if(R=o[I]){if(o[I]=null,N){if(R==F)break}else{if(R.nodeType!=8)break;R.data.startsWith(`$s`)&&(F=te(N=R))}}}if(!N){for(;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;N=c}(p=te(N=n.__c.__z||(n.__c.__z=N)))?(n.__e=N,c=p):n.__e=c,c&&=c.nextSibling}else o&&o.some(_)}else n.__e=r.__e;n.__k||=r.__k||[],t&&t.then||P(n),e.__e(t,n,r)}}else c=n.__e=ne(r.__e,n,r,i,a,o,s,l,d,t);return(p=e.diffed)&&p(n),c}function te(e,t){if(e&&e.nodeType==8&&e.data.startsWith(`$s`))for(var n=1;e=e.nextSibling;){if(e.nodeType==8){if(e.data.startsWith(`$s`))n++;else if(e.data.startsWith(`/$s`)&&!--n)return e}t&&t.push(e)}}function P(e){e&&(e.__c&&(e.__c.__g|=4),e.__k&&e.__k.some(P))}function F(t,n,r){for(var i=0;i<r.length;)I(r[i++],r[i++],r[i++]);e.__c&&e.__c(n,t),t.some(function(n){try{t=n.__h,n.__h=[],t.some(function(e){e.call(n)})}catch(t){e.__e(t,n.__v)}})}function ne(t,n,r,i,a,o,s,c,l,u){var f,g,v,y,b,x,C,w,T=r.props||d,E=n.props,D=n.type;if(D==`svg`?a=`http://www.w3.org/2000/svg`:D==`math`?a=`http://www.w3.org/1998/Math/MathML`:a||=`http://www.w3.org/1999/xhtml`,o){for(f=0;f<o.length;f++)if((b=o[f])&&(D?b.localName==D:b.nodeType==3)){t=b,o[f]=null;break}}if(!t){if(w=u.ownerDocument||document,!D)return w.createTextNode(E);t=w.createElementNS(a,D,E.is?E:u),c&&=(e.__m&&e.__m(n,o),!1),o=null}if(D){if(u=D==`template`&&t.content||t,o=D==`textarea`&&E.defaultValue!=null?null:o&&h.call(u.childNodes),!c&&o)for(T={},f=0;f<t.attributes.length;f++)T[(b=t.attributes[f]).name]=b.value;for(f in T)b=T[f],f==`dangerouslySetInnerHTML`?v=b:f==`children`||f in E||f==`value`&&`defaultValue`in E||f==`checked`&&`defaultChecked`in E||j(t,f,null,b,a);for(f in E)b=E[f],f==`children`?y=b:f==`dangerouslySetInnerHTML`?g=b:f==`value`?x=b:f==`checked`?C=b:c&&typeof b!=`function`||T[f]===b||j(t,f,b,T[f],a);g?(c||v&&(g.__html==v.__html||g.__html==t.innerHTML)||(t.innerHTML=g.__html),n.__k=[]):(v&&(t.textContent=``),(D==`foreignObject`||a==`http://www.w3.org/1998/Math/MathML`&&p.test(D))&&(a=`http://www.w3.org/1999/xhtml`),ee(u,m(y)?y:[y],n,r,i,a,o,s,o?o[0]:r.__k&&S(r,0),c,l),o&&o.some(_)),c&&D!=`textarea`||(f=`value`,D==`progress`&&x==null?t.removeAttribute(f):x==null||x===t[f]&&(D!=`progress`||x)||j(t,f,x,T[f],a),f=`checked`,C!=null&&C!=t[f]&&j(t,f,C,T[f],a))}else T===E||c&&t.data==E||(t.data=E);return t}function I(t,n,r,i){try{typeof t==`function`?n?n.__x=t(n)||1:(i&&=i.__c||i.__e)&&(n=i.__x)&&(i.__x=null,typeof n==`function`?n():t(null)):t.current=n}catch(t){e.__e(t,r)}}function L(t,n,r){var i,a,o,s;if(e.unmount&&e.unmount(t),!(i=t.ref)||i.current&&i.current!=t.__e||I(i,null,n,t),i=t.__c){if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(t){e.__e(t,n)}i.__P=i.__n=null}if(i=t.__k)for(s=0;s<i.length;s++)i[s]&&L(i[s],n,typeof t.type!=`function`||r&&!t.props.__P);!r&&(i=t.__c)&&(i=i.__z)&&(a=te(i,o=[]))&&(i==t.__e&&o.some(_),_(a),_(i)),r||_(t.__e),t.__e=t.__c=t.__=null}function re(e,t,n){return this.constructor(e,n)}function R(t,n){var r,i,a,o;e.__&&e.__(t,n),n.nodeType==9&&(n=n.documentElement),i=(r=t&&32&t.__u)?null:n.__k,n.__k=y(b,{children:[t]}),a=[],o=[],N(n,n.__k,i||d,d,n.namespaceURI,i?null:n.firstChild?h.call(n.childNodes):null,a,i?i.__e:n.firstChild,r,o),F(a,n.__k,o),n.__k.props.children=null}e={__e:function(e,t,n,r){for(var a,o,s;t=t.__;)if((a=t.__c)&&!(1&a.__g)){a.__g|=4;try{if((s=(o=a.constructor)&&o.getDerivedStateFromError)&&a.setState(o.getDerivedStateFromError(e)),a.componentDidCatch&&(a.componentDidCatch(e,r||{}),s=1),s&&8&a.__g)return void(a.__g|=2)}catch(t){e=t}}throw i=0,e}},t=0,x.prototype.setState=function(e,t){var n=this.__s;n&&n!=this.state||(n=this.__s=g({},this.state)),typeof e==`function`&&(e=e(g({},n),this.props)),e&&(g(n,e),this.__v&&(t&&this.__k.push(t),T(this)))},x.prototype.forceUpdate=function(e){this.__v&&(this.__g|=4,e&&this.__h.push(e),T(this))},x.prototype.render=b,n=[],i=0,a=function(e,t){return e.__v.__b-t.__v.__b},o=Symbol(),s=/(PointerCapture)$|Capture$/i,c=0,l={};var z,B,ie,ae,V=Object.is,oe=0,se=[],ce=[],H=e,le=H.__b,ue=H.__r,de=H.diffed,fe=H.__c,pe=H.unmount,me=H.__;function he(e,t){H.__h&&H.__h(B,e,oe||t),oe=0;var n=B.__H||(B.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function U(e){return oe=1,ge(Ee,e)}function ge(e,t,n){var r=he(z++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):Ee(void 0,t),function(e){var t=(r.__N||r.__)[0],n=r.t(t,e);V(t,n)||(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=B,!B.__f)){B.__f=!0;var i=B.shouldComponentUpdate;B.shouldComponentUpdate=function(e,t,n){var r=this.__H;if(!r)return!0;var a=!1,o=this.props!=e;if(r.__.some(function(e){e.__N&&(a=!0,V(e.__[0],e.__N[0])||(o=!0))}),i){var s=i.call(this,e,t,n);return a?s||o:s}return!a||o}}return r.__}function W(e,t){var n=he(z++,3);!H.__s&&Te(n.__H,t)&&(n.__P=!0,n.__=e,n.u=t,B.__H.__h.push(n))}function _e(e,t){var n=he(z++,4);!H.__s&&Te(n.__H,t)&&(n.__P=!1,n.__=e,n.u=t,B.__h.push(n))}function G(e){return oe=5,ve(function(){return{current:e}},[])}function ve(e,t){var n=he(z++,7);return Te(n.__H,t)&&(n.__=e(),n.__H=t),n.__}function ye(){var e;do{for(;e=ce.shift();)try{Ce(e)}catch(t){H.__e(t,{__:(e=e.__P)&&e.__v})}for(;e=se.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(Ce),t.__h.some(we),t.__h=[]}catch(n){t.__h=[],H.__e(n,e.__v)}}}while(ce.length)}H.__b=function(e){B=null,le&&le(e)},H.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),me&&me(e,t)},H.__r=function(e){ue&&ue(e),z=0;var t=(B=e.__c).__H;t&&(ie==B?B.__h=[]:(t.__h.some(Ce),t.__h.some(we),z=0),t.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})),ie=B},H.diffed=function(e){de&&de(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&Se(se.push(t)),t.__H.__.some(function(e){e.u&&(e.__H=e.u)})),ie=B=null},H.__c=function(e,t){t.some(function(e){try{e.__h.some(Ce),e.__h=e.__h.filter(function(e){return!e.__||we(e)})}catch(t){e.__h=[function(){throw t}]}}),fe&&fe(e,t)},H.unmount=function(e){pe&&pe(e);var t,n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(r){try{if(r.__P&&r.__c){if(n===void 0){for(n=e.__;n&&(!n.__c||!n.__c.__P);)n=n.__;n&&=n.__c}r.__P=n,Se(ce.push(r))}else Ce(r)}catch(e){t=e}}),r.__H=void 0,t&&H.__e(t,r.__v))};var be=typeof requestAnimationFrame==`function`;function xe(e){var t,n=function(){clearTimeout(r),be&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);be&&(t=requestAnimationFrame(n))}function Se(e){e!=1&&ae==H.requestAnimationFrame||((ae=H.requestAnimationFrame)||xe)(ye)}function Ce(e){var t=B,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),B=t}function we(e){var t=B;e.__c=e.__(),B=t}function Te(e,t){return!e||e.length!=t.length||t.some(function(t,n){return!V(t,e[n])})}function Ee(e,t){return typeof t==`function`?t(e):t}var De=function(e,t,n,r){var i;t[0]=0;for(var a=1;a<t.length;a++){var o=t[a++],s=t[a]?(t[0]|=o?1:2,n[t[a++]]):t[++a];o===3?r[0]=s:o===4?r[1]=Object.assign(r[1]||{},s):o===5?(r[1]=r[1]||{})[t[++a]]=s:o===6?r[1][t[++a]]+=s+``:o?(i=e.apply(s,De(e,s,n,[``,null])),r.push(i),s[0]?t[0]|=2:(t[a-2]=0,t[a]=i)):r.push(s)}return r},Oe=new Map;function ke(e){var t=Oe.get(this);return t||(t=new Map,Oe.set(this,t)),(t=De(this,t.get(e)||(t.set(e,t=function(e){for(var t,n,r=1,i=``,a=``,o=[0],s=function(e){r===1&&(e||(i=i.replace(/^\s*\n\s*|\s*\n\s*$/g,``)))?o.push(0,e,i):r===3&&(e||i)?(o.push(3,e,i),r=2):r===2&&i===`...`&&e?o.push(4,e,0):r===2&&i&&!e?o.push(5,0,!0,i):r>=5&&((i||!e&&r===5)&&(o.push(r,0,i,n),r=6),e&&(o.push(r,e,0,n),r=6)),i=``},c=0;c<e.length;c++){c&&(r===1&&s(),s(c));for(var l=0;l<e[c].length;l++)t=e[c][l],r===1?t===`<`?(s(),o=[o],r=3):i+=t:r===4?i===`--`&&t===`>`?(r=1,i=``):i=t+i[0]:a?t===a?a=``:i+=t:t===`"`||t===`'`?a=t:t===`>`?(s(),r=1):r&&(t===`=`?(r=5,n=i,i=``):t===`/`&&(r<5||e[c][l+1]===`>`)?(s(),r===3&&(o=o[0]),r=o,(o=o[0]).push(2,0,r),r=0):t===` `||t===`	`||t===`
`||t===`\r`?(s(),r=2):i+=t),r===3&&i===`!--`&&(r=4,o=o[0])}return s(),o}(e)),t),arguments,[])).length>1?t:t[0]}var K=ke.bind(v),Ae=`datafactory.apiBase`,je=`datafactory.token`,Me=`datafactory-settings`;function Ne(e){try{return window.localStorage.getItem(e)||``}catch{return``}}function Pe(e,t){try{t?window.localStorage.setItem(e,t):window.localStorage.removeItem(e)}catch{}}function Fe(){return{base:Ne(Ae),token:Ne(je)}}function Ie({base:e,token:t}){Pe(Ae,(e||``).trim().replace(/\/+$/,``)),Pe(je,(t||``).trim()),window.dispatchEvent(new Event(Me))}function Le(e){let{base:t}=Fe();return(t||``)+e}function Re(){let{token:e}=Fe();return e?{Authorization:`Bearer ${e}`}:{}}var ze=class extends Error{constructor(e,t,n){super(n),this.name=`ApiError`,this.status=e,this.code=t}};async function q(e,t,n){let r=Le(t),i={Accept:`application/json`,...Re()},a={method:e,headers:i};n!==void 0&&(i[`Content-Type`]=`application/json`,a.body=JSON.stringify(n));let o;try{o=await fetch(r,a)}catch(e){throw new ze(0,`network`,`Cannot reach the API at ${r}: ${e.message}`)}let s=await o.text(),c=null;if(s)try{c=JSON.parse(s)}catch{c=null}if(!o.ok){let e=c&&c.error,t=e&&e.code||`http_${o.status}`,n=e&&e.message||s.trim().slice(0,300)||o.statusText||`HTTP ${o.status}`;throw new ze(o.status,t,n)}if(c===null&&s)throw new ze(o.status,`bad_json`,`The API answered ${e} ${t} with something that is not JSON`);return c}async function Be(e){let t=await fetch(Le(e),{headers:Re()});if(!t.ok){let e=await t.text(),n=e.trim().slice(0,300)||t.statusText,r=`http_${t.status}`;try{let t=JSON.parse(e).error;t&&(n=t.message||n,r=t.code||r)}catch{}throw new ze(t.status,r,n)}return t}var Ve=new Map,He=new Set;function Ue(){let e=[...Ve.values()];for(let t of He)t(e)}function J(e,t){let n=t&&typeof t.status==`number`?t.status:0,r=t&&t.code||`error`,i=t&&t.message||String(t);Ve.set(e,{source:e,status:n,code:r,message:i}),Ue()}function Y(e){Ve.delete(e)&&Ue()}function We(){Ve.size&&(Ve.clear(),Ue())}function Ge(e){return He.add(e),e([...Ve.values()]),()=>He.delete(e)}var Ke=1;function qe(){let[e,t]=U(window.location.hash);return W(()=>{let e=()=>t(window.location.hash);return window.addEventListener(`hashchange`,e),()=>window.removeEventListener(`hashchange`,e)},[]),e}function X(e,t,n){let[r,i]=U({data:null,error:null,loading:!0}),[a,o]=U(0),s=G(null);s.current===null&&(s.current=`resource-${Ke++}`);let c=G(e);c.current=e;let l=G(n);return l.current=n,W(()=>{let e=!0,t=null,n=async()=>{try{let r=await c.current();if(!e)return;Y(s.current),i({data:r,error:null,loading:!1});let a=l.current?l.current(r):null;a&&(t=setTimeout(n,a))}catch(r){if(!e)return;J(s.current,r),i(e=>({...e,error:r,loading:!1}));let a=r&&r.status>=400&&r.status<500;l.current&&!a&&(t=setTimeout(n,5e3))}};return i(e=>({...e,loading:!0})),n(),()=>{e=!1,clearTimeout(t)}},[...t,a]),{...r,reload:()=>o(e=>e+1)}}var Je=e=>String(e).padStart(2,`0`);function Ye(e){if(!e)return`—`;let t=new Date(e);return Number.isNaN(t.getTime())?String(e):`${t.getFullYear()}-${Je(t.getMonth()+1)}-${Je(t.getDate())} ${Je(t.getHours())}:${Je(t.getMinutes())}:${Je(t.getSeconds())}`}function Z(e){if(e==null||e===``)return`—`;let t=Number(e);return Number.isFinite(t)?t.toLocaleString(`en-US`):String(e)}function Xe(e){if(e==null)return`—`;let t=Number(e);return Number.isFinite(t)?`$${t.toFixed(t!==0&&Math.abs(t)<.01?4:2)}`:String(e)}function Ze(e){if(e==null)return`—`;let t=Number(e);return Number.isFinite(t)?t.toFixed(2):String(e)}function Qe(e){if(e==null)return`—`;let t=Number(e);return Number.isFinite(t)?`${(t*100).toFixed(1)}%`:String(e)}function $e(e){if(e==null)return`n/a`;let t=Number(e);return Number.isFinite(t)?t.toFixed(2):String(e)}function et(e,t){let n=String(e||``).replace(/\s+/g,` `).trim();return n.length>t?`${n.slice(0,t-1)}…`:n}function tt(e,t){return`${Z(e)} ${t}${Number(e)===1?``:`s`}`}function nt({status:e}){let t=e||`unknown`;return K`<span class=${`badge status-${t}`} data-testid="status-badge" data-status=${t}>${t}</span>`}function rt({value:e,label:t,testid:n}){let r=Math.max(0,Math.min(1,Number(e)||0))*100;return K`<div
    class="progress"
    role="progressbar"
    aria-valuemin="0"
    aria-valuemax="100"
    aria-valuenow=${Math.round(r)}
    title=${t||`${Math.round(r)}%`}
    data-testid=${n}
  >
    <div class="progress-fill" style=${{width:`${r}%`}}></div>
  </div>`}function it(){let[e,t]=U([]);return W(()=>Ge(t),[]),e.length?K`<div class="error-banner" role="alert" data-testid="error-banner">
    ${e.map(e=>K`<div class="error-line" key=${e.source}>
        ${e.status===401?K`<strong>Not authorized (401):</strong> ${e.message}. Set an API token in${` `}
              <a href="#/settings" data-testid="error-settings-link">Settings</a>.`:K`<strong>${e.status?`Error ${e.status}`:`Error`}${e.code?` (${e.code})`:``}:</strong>${` `}
              ${e.message}`}
      </div>`)}
  </div>`:null}function at({id:e,active:t}){let n=encodeURIComponent(e);return K`<nav class="tabs" data-testid="job-tabs">
    ${[[`detail`,`Overview`,`#/jobs/${n}`],[`quality`,`Quality`,`#/jobs/${n}/quality`],[`review`,`Review`,`#/jobs/${n}/review`],[`exports`,`Exports`,`#/jobs/${n}/exports`]].map(([e,n,r])=>K`<a key=${e} href=${r} class=${e===t?`tab active`:`tab`} data-testid=${`tab-${e}`}
          >${n}</a
        >`)}
  </nav>`}function ot({id:e,children:t}){return K`<div class="page-head">
    <h1>Job <code class="job-id" data-testid="job-id">${e}</code></h1>
    ${t}
  </div>`}function st({name:e,bins:t,mean:n}){let r=Array.isArray(t)?t.map(e=>Number(e)||0):[],i=Math.max(1,...r),a=r.reduce((e,t)=>e+t,0),o=r.length?1/r.length:.1;return K`<figure class="histogram" data-testid="histogram" data-check=${e}>
    <figcaption>
      <span class="hist-name">${e}</span>
      ${n==null?null:K`<span class="muted">mean ${Ze(n)}</span>`}
    </figcaption>
    <div class="hist-bars">
      ${r.map((e,t)=>K`<div class="hist-col" key=${t} title=${`${(t*o).toFixed(1)}–${((t+1)*o).toFixed(1)}: ${e}`}>
          <div class="hist-bar" style=${{height:`${e/i*100}%`}} data-count=${e}></div>
        </div>`)}
    </div>
    <div class="hist-axis"><span>0</span><span>0.5</span><span>1</span></div>
    <div class="muted small">${Z(a)} examples</div>
  </figure>`}function ct({items:e,empty:t,testid:n}){let r=Object.entries(e||{}).map(([e,t])=>[e,Number(t)||0]).sort((e,t)=>t[1]-e[1]||e[0].localeCompare(t[0]));if(!r.length)return K`<p class="muted small">${t||`none`}</p>`;let i=Math.max(1,...r.map(e=>e[1]));return K`<ul class="barlist" data-testid=${n}>
    ${r.map(([e,t])=>K`<li key=${e}>
        <span class="barlist-label" title=${e}>${e}</span>
        <span class="barlist-track"><span class="barlist-bar" style=${{width:`${t/i*100}%`}}></span></span>
        <span class="barlist-count">${Z(t)}</span>
      </li>`)}
  </ul>`}function lt({items:e,testid:t}){let n=Object.entries(e||{});return n.length?K`<dl class="kv" data-testid=${t}>
    ${n.map(([e,t])=>K`<div class="kv-row" key=${e}>
        <dt>${e}</dt>
        <dd>${typeof t==`number`?Z(t):String(t)}</dd>
      </div>`)}
  </dl>`:K`<p class="muted small">no counters yet</p>`}function Q({what:e}){return K`<p class="muted loading">Loading ${e||``}…</p>`}function ut(e){window.location.hash=e}function dt({refused:e}){return!e||!e.length?null:K`<ul class="refused" data-testid="refused-list">
    ${e.map((e,t)=>{let n=Object.entries(e||{}).filter(([e])=>e!==`line`&&e!==`reason`);return K`<li key=${t}>
        ${e&&e.line!==void 0?K`<span class="mono">line ${e.line}</span>: `:null}
        <span>${e&&e.reason||JSON.stringify(e)}</span>
        ${n.map(([e,t])=>K` <span class="muted small mono">${e}=${typeof t==`string`?t:JSON.stringify(t)}</span>`)}
      </li>`})}
  </ul>`}var ft=[{key:`spider`,name:`Spider`,what:`fetches pages`,in:[`urls`,`URLs`],out:[`fetched`,`pages fetched`]},{key:`refiner`,name:`Refiner`,what:`cleans, dedups, chunks`,in:[`pages`,`pages`],out:[`chunks`,`chunks`]},{key:`factory`,name:`Factory`,what:`generates examples`,in:[`chunks`,`chunks`],out:[`examples`,`examples`]},{key:`inspector`,name:`Inspector`,what:`scores examples`,in:[`examples`,`examples`],out:[`passed`,`passed`]},{key:`shipper`,name:`Shipper`,what:`writes the export`,in:null,out:[`records`,`records`]}];function pt(e,t){return e===`shipper`?Math.min(1,t||0)||1:t||0}function mt(e){if(!e)return 0;if(e.status===`completed`)return 1;let t=e.progress||{},n=t.shards_total??e.shards??0,r=t.shards_done||{},i=0,a=0;for(let e of ft){let t=pt(e.key,n);a+=t,i+=Math.min(Number(r[e.key])||0,t)}return a?i/a:0}var ht=e=>e===`running`||e===`pending`,gt=50;function _t({job:e}){let t=e.totals||{},n=mt(e),r=`#/jobs/${encodeURIComponent(e.id)}`;return K`<tr data-testid="job-row" data-job-id=${e.id} data-status=${e.status}>
    <td><a href=${r} class="mono" data-testid="job-link">${e.id}</a></td>
    <td><${nt} status=${e.status} /></td>
    <td class="nowrap">${Ye(e.created_at)}</td>
    <td class="num">${Z(e.urls)}</td>
    <td class="num">${Z(t.pages_fetched)}</td>
    <td class="num">${Z(t.examples)}</td>
    <td class="num">${Z(t.exported)}</td>
    <td class="num">${Xe(t.cost_usd)}</td>
    <td class="progress-cell">
      <${rt} value=${n} label=${`${Math.round(n*100)}% of shards done`} />
      <span class="small muted">${Math.round(n*100)}%</span>
    </td>
  </tr>`}function vt(){let e=X(()=>q(`GET`,`/jobs?limit=${gt}`),[],e=>(e.jobs||[]).some(e=>ht(e.status))?2e3:null),[t,n]=U({jobs:[],cursor:void 0,loading:!1}),r=t.cursor===void 0?e.data&&e.data.next_cursor:t.cursor,i=async()=>{if(r){n(e=>({...e,loading:!0}));try{let e=await q(`GET`,`/jobs?limit=${gt}&cursor=${encodeURIComponent(r)}`);Y(`jobs-more`),n(t=>({jobs:[...t.jobs,...e.jobs||[]],cursor:e.next_cursor||null,loading:!1}))}catch(e){J(`jobs-more`,e),n(e=>({...e,loading:!1}))}}},a=new Set,o=[...e.data&&e.data.jobs||[],...t.jobs].filter(e=>!a.has(e.id)&&a.add(e.id));return K`<section data-testid="jobs-page">
    <div class="page-head">
      <h1>Jobs</h1>
      <div class="actions">
        ${o.some(e=>ht(e.status))?K`<span class="muted small live">refreshing every 2 s</span>`:null}
        <button type="button" class="secondary" onClick=${e.reload} data-testid="jobs-refresh">Refresh</button>
        <a class="button" href="#/new" data-testid="new-job-link">New job</a>
      </div>
    </div>
    ${e.loading&&!e.data?K`<${Q} what="jobs" />`:o.length===0&&e.data?K`<div class="card empty" data-testid="jobs-empty">
            No jobs yet. <a href="#/new">Start one</a> from a list of URLs.
          </div>`:o.length?K`<div class="table-wrap">
              <table class="table" data-testid="jobs-table">
                <thead>
                  <tr>
                    <th>Job</th>
                    <th>Status</th>
                    <th>Created</th>
                    <th class="num">URLs</th>
                    <th class="num">Pages fetched</th>
                    <th class="num">Examples</th>
                    <th class="num">Exported</th>
                    <th class="num">Cost</th>
                    <th>Progress</th>
                  </tr>
                </thead>
                <tbody>
                  ${o.map(e=>K`<${_t} key=${e.id} job=${e} />`)}
                </tbody>
              </table>
            </div>`:null}
    ${r?K`<p>
          <button type="button" class="secondary" onClick=${i} disabled=${t.loading} data-testid="jobs-more">
            ${t.loading?`Loading…`:`Older jobs`}
          </button>
        </p>`:null}
  </section>`}var yt=new Map;function bt(e,t){yt.set(e,t)}function xt(e){let t=yt.get(e);return yt.delete(e),t||null}var St=[`completed`,`failed`],Ct=e=>!!e&&((Number(e.shards_done)||0)>0||Object.keys(e.counters||{}).length>0);function wt(e,t,n,r){if(!Ct(t))return n.status===`completed`?`skipped`:n.status===`failed`?`failed`:`waiting`;let i=Number(t.shards_done)||0;return r&&i>=r?`done`:n.status===`failed`?`failed`:n.status===`completed`?`done`:`running`}function Tt({stage:e,data:t,job:n,total:r}){let i=wt(e,t,n,r),a=t&&t.counters||{},o=t&&Number(t.shards_done)||0,s=e=>e in a?Z(a[e]):`—`;return K`<div class=${`stage-box stage-${i}`} data-testid=${`stage-${e.key}`} data-state=${i}>
    <div class="stage-name">${e.name}</div>
    <div class="stage-what muted small">${e.what}</div>
    <div class="stage-shards">
      <span data-testid=${`stage-${e.key}-shards`}>${Z(o)} / ${Z(r)}</span>
      <span class="muted small"> shards</span>
    </div>
    <${rt} value=${r?o/r:0} />
    <div class="stage-io small">
      ${e.in?K`<span title="in">${s(e.in[0])} ${e.in[1]}</span><span class="io-arrow">→</span>`:null}
      <span title="out">${s(e.out[0])} ${e.out[1]}</span>
    </div>
    <div class="stage-state small">${i}</div>
  </div>`}function Et({samples:e}){return!e||!e.length?K`<p class="muted small">no errors</p>`:K`<ul class="samples">
    ${e.map((e,t)=>K`<li key=${t}>
        <code class="sample-id" title=${e.id}>${et(e.id||e.url||`?`,90)}</code>
        <span class="sample-reason">${e.reason}</span>
        ${e.detail?K`<span class="muted small sample-detail" title=${e.detail}>${et(e.detail,200)}</span>`:null}
      </li>`)}
  </ul>`}function Dt({stage:e,data:t,job:n}){let r=t&&(t.drop_reasons||t.reasons)||{},i=t&&(t.error_samples||t.samples)||[];return K`<div class="card stage-detail" data-testid=${`stage-detail-${e.key}`}>
    <h3>${e.name}</h3>
    ${Ct(t)?K`<div class="stage-detail-grid">
          <div>
            <h4>Counters</h4>
            <${lt} items=${t.counters} />
          </div>
          <div>
            <h4>Drops by reason</h4>
            <${ct} items=${r} empty="no drops" />
          </div>
          <div>
            <h4>Errors</h4>
            <${Et} samples=${i} />
          </div>
        </div>`:K`<p class="muted small">${n.status===`completed`?`nothing to do for this job`:`waiting: no shard done yet`}</p>`}
  </div>`}function Ot({info:e}){let[t,n]=U(!0);if(!e||!t)return null;let r=e.refused||[];return K`<div class="notice" data-testid="submitted-notice">
    <button type="button" class="close" onClick=${()=>n(!1)} aria-label="dismiss">×</button>
    ${e.existing?K`<p>An identical job already existed: showing it instead of starting another.</p>`:K`<p>Job submitted: ${Z(e.urls)} URLs in ${Z(e.shards)} shards.</p>`}
    ${e.lines_refused||r.length?K`<p>${tt(e.lines_refused??r.length,`line`)} refused${r.length?`:`:`.`}</p>
          <${dt} refused=${r} />`:null}
  </div>`}function kt({id:e}){let[t]=U(()=>xt(e)),n=X(()=>q(`GET`,`/jobs/${encodeURIComponent(e)}`),[e],e=>e&&e.job&&St.includes(e.job.status)?null:1e3),r=n.data;if(!r)return K`<section data-testid="job-page">
      <${ot} id=${e} />
      <${at} id=${e} active="detail" />
      ${n.loading?K`<${Q} what="job" />`:null}
    </section>`;let i=r.job||{},a=r.stages||{},o=(i.progress&&i.progress.shards_total)??i.shards??0,s=i.totals||{},c=a.input,l=mt(i);return K`<section data-testid="job-page" data-status=${i.status}>
    <${ot} id=${e}>
      <div class="actions">
        <${nt} status=${i.status} />
        ${ht(i.status)?K`<span class="muted small live">live</span>`:null}
      </div>
    <//>
    <${at} id=${e} active="detail" />
    <${Ot} info=${t} />
    <div class="card job-header" data-testid="job-header">
      <dl class="facts">
        <div><dt>Status</dt><dd data-testid="job-status">${i.status}</dd></div>
        <div><dt>Input</dt><dd class="mono wrap" data-testid="job-input">${i.input||`—`}</dd></div>
        <div><dt>Created</dt><dd>${Ye(i.created_at)}</dd></div>
        <div><dt>Updated</dt><dd>${Ye(i.updated_at)}</dd></div>
        <div><dt>URLs / shards</dt><dd>${Z(i.urls)} / ${Z(i.shards)}</dd></div>
        <div><dt>Examples</dt><dd>${Z(s.examples)} (${Z(s.passed)} passed)</dd></div>
        <div><dt>Exported</dt><dd>${Z(s.exported)}</dd></div>
        <div>
          <dt>Cost</dt>
          <dd>${Xe(r.cost_usd&&r.cost_usd.llm!==void 0?r.cost_usd.llm:s.cost_usd)}</dd>
        </div>
        <div><dt>Export</dt><dd class="mono wrap" data-testid="job-export">${i.export||`—`}</dd></div>
        ${i.message?K`<div class="wide"><dt>Message</dt><dd data-testid="job-message">${i.message}</dd></div>`:null}
      </dl>
      <div class="job-progress">
        <${rt} value=${l} testid="job-progress" />
        <span class="small muted">${Math.round(l*100)}% of shards done</span>
      </div>
      ${c&&c.counters&&(c.counters.lines_refused||c.counters.duplicate_urls)?K`<p class="small muted">
            ${`Input: ${Z(c.counters.urls)} URLs, ${tt(c.counters.lines_refused||0,`line`)} refused, ${tt(c.counters.duplicate_urls||0,`duplicate`)}.`}
          </p>`:null}
    </div>

    <h2>Pipeline</h2>
    <div class="pipeline" data-testid="pipeline">
      ${ft.map((e,t)=>K`
          ${t>0?K`<div class="pipeline-arrow" aria-hidden="true">→</div>`:null}
          <${Tt} key=${e.key} stage=${e} data=${a[e.key]} job=${i} total=${pt(e.key,o)} />
        `)}
    </div>

    <div class="stage-details">
      ${ft.map(e=>K`<${Dt} key=${e.key} stage=${e} data=${a[e.key]} job=${i} />`)}
    </div>

    ${r.config?K`<details class="card">
          <summary>Configuration</summary>
          <pre class="json">${JSON.stringify(r.config,null,2)}</pre>
        </details>`:null}
  </section>`}function At(e){return[...e].sort((e,t)=>e===`total`?-1:t===`total`?1:e.localeCompare(t))}function $({label:e,value:t,testid:n,hint:r}){return K`<div class="stat" data-testid=${n} title=${r}>
    <div class="stat-value">${t}</div>
    <div class="stat-label">${e}</div>
  </div>`}function jt({jobId:e,examples:t}){return!t||!t.length?K`<p class="muted">No inspected examples.</p>`:K`<ol class="worst" data-testid="worst-list">
    ${t.map(t=>K`<li key=${t.id}>
        <a
          href=${`#/jobs/${encodeURIComponent(e)}/review?focus=${encodeURIComponent(t.id)}`}
          data-testid="worst-example"
          data-example-id=${t.id}
        >
          <span class=${`score-pill ${t.passed?`pass`:`fail`}`}>${Ze(t.score)}</span>
          <span class="worst-text">${et(t.instruction,140)||`(no instruction)`}</span>
        </a>
        ${t.notes&&t.notes.length?K`<div class="muted small">${et(t.notes.join(`; `),200)}</div>`:null}
      </li>`)}
  </ol>`}function Mt({ratings:e}){let t=Array.from({length:10},(t,n)=>Number((e||[])[n])||0),n=Math.max(1,...t);return K`<figure class="histogram ratings" data-testid="ratings-histogram">
    <figcaption><span class="hist-name">ratings</span></figcaption>
    <div class="hist-bars">
      ${t.map((e,t)=>K`<div class="hist-col" key=${t} title=${`rating ${t+1}: ${e}`}>
          <div class="hist-bar" style=${{height:`${e/n*100}%`}} data-count=${e}></div>
        </div>`)}
    </div>
    <div class="hist-axis ten">${t.map((e,t)=>K`<span key=${t}>${t+1}</span>`)}</div>
  </figure>`}function Nt({stats:e}){let t=e.agreement||{};return K`<div class="card" data-testid="review-stats">
    <h2>Human review</h2>
    <div class="review-stats-grid">
      <div class="stats-row">
        <${$} label="reviewed" value=${`${Z(e.reviewed)} / ${Z(e.examples)}`} testid="stat-reviewed" />
        <${$} label="unreviewed" value=${Z(e.unreviewed)} />
        <${$} label="rated" value=${Z(e.rated)} />
        <${$} label="approved" value=${Z(e.approved)} testid="stat-approved" />
        <${$} label="rejected" value=${Z(e.rejected)} testid="stat-rejected" />
        <${$} label="rewritten" value=${Z(e.rewritten)} testid="stat-rewritten" />
      </div>
      <${Mt} ratings=${e.ratings} />
      <div>
        <h4>Agreement</h4>
        <dl class="kv" data-testid="agreement">
          <div class="kv-row"><dt>pairs</dt><dd>${Z(t.pairs)}</dd></div>
          <div class="kv-row"><dt>Pearson</dt><dd>${$e(t.pearson)}</dd></div>
          <div class="kv-row"><dt>Spearman</dt><dd>${$e(t.spearman)}</dd></div>
          <div class="kv-row"><dt>decision agreement</dt><dd>${$e(t.decision_agreement)}</dd></div>
        </dl>
      </div>
    </div>
  </div>`}function Pt({id:e}){let t=encodeURIComponent(e),n=X(()=>q(`GET`,`/jobs/${t}/quality`),[e]),r=X(()=>q(`GET`,`/jobs/${t}/reviews/stats`),[e]),i=n.data,a=i&&i.means||{},o=i&&i.histograms||{};return K`<section data-testid="quality-page">
    <${ot} id=${e}>
      <div class="actions"><button type="button" class="secondary" onClick=${()=>{n.reload(),r.reload()}} data-testid="quality-refresh">Refresh</button></div>
    <//>
    <${at} id=${e} active="quality" />
    ${i?K`
          <div class="card">
            <div class="stats-row">
              <${$} label="pass rate" value=${Qe(i.pass_rate)} testid="pass-rate" />
              <${$} label="inspected" value=${Z(i.inspected)} testid="inspected" />
              <${$} label="passed" value=${Z(i.passed)} testid="passed" />
              <${$} label="threshold" value=${Ze(i.threshold)} testid="threshold" hint="an example passes when its score is at least this and no check failed hard" />
            </div>
          </div>
          <h2>Score histograms</h2>
          ${Object.keys(o).length?K`<div class="histograms" data-testid="histograms">
                ${At(Object.keys(o)).map(e=>K`<${st} key=${e} name=${e} bins=${o[e]} mean=${a[e]} />`)}
              </div>`:K`<p class="muted">No histograms: nothing inspected yet.</p>`}
          ${Object.keys(a).length?K`<div class="card">
                <h4>Means</h4>
                <dl class="kv kv-inline" data-testid="means">
                  ${At(Object.keys(a)).map(e=>K`<div class="kv-row" key=${e}><dt>${e}</dt><dd>${Ze(a[e])}</dd></div>`)}
                </dl>
              </div>`:null}
          <h2>Worst examples</h2>
          <div class="card"><${jt} jobId=${e} examples=${i.worst} /></div>
        `:n.loading?K`<${Q} what="quality" />`:null}
    ${r.data?K`<${Nt} stats=${r.data} />`:null}
  </section>`}var Ft=50,It=[[`all`,`All`],[`unreviewed`,`Unreviewed`],[`unrated`,`Unrated`],[`below`,`Below threshold`],[`failed`,`Failed a check`],[`approved`,`Approved`],[`rejected`,`Rejected`],[`rewritten`,`Rewritten`]],Lt=[[`score`,`Score ascending`],[`-score`,`Score descending`],[`rating`,`Rating ascending`],[`-rating`,`Rating descending`]];function Rt(e,t){let n=t&&t.review,r=e=>e!=null;switch(e){case`unreviewed`:return!n;case`unrated`:return!n||!r(n.rating);case`approved`:return!!n&&n.decision===`approved`;case`rejected`:return!!n&&n.decision===`rejected`;case`rewritten`:return!!n&&r(n.rewrite);default:return!0}}function zt(e,t,n,r){let i=n.filter(t=>!Rt(e,r[t.id]||t)).length;return Math.max(0,t+n.length-i)}var Bt=`Keys: 1–9 rate, 0 rate 10, a approve, r reject, u clear decision, e edit the response (Ctrl+Enter saves, Esc cancels), j or ↓ next, k or ↑ previous.`;function Vt(e){if(!e)return!1;let t=e.tagName;return t===`INPUT`||t===`TEXTAREA`||t===`SELECT`||e.isContentEditable}var Ht=e=>/^https?:\/\//i.test(e||``)?e:null;function Ut({ex:e,focused:t,onClick:n}){let r=e.review||{};return K`<li
    class=${`review-item${t?` focused`:``}`}
    data-testid="review-item"
    data-example-id=${e.id}
    data-focused=${t?`true`:`false`}
    onClick=${n}
  >
    <div class="review-item-head">
      <span class=${`score-pill ${e.passed?`pass`:`fail`}`}>${Ze(e.score)}</span>
      ${r.rating?K`<span class="tag rating">★ ${r.rating}</span>`:null}
      ${r.decision?K`<span class=${`tag decision-${r.decision}`}>${r.decision}</span>`:null}
      ${r.rewrite!==null&&r.rewrite!==void 0?K`<span class="tag rewritten">rewritten</span>`:null}
    </div>
    <div class="review-item-text">${et(e.instruction,110)||`(no instruction)`}</div>
  </li>`}function Wt({title:e,text:t,testid:n,cls:r}){return K`<div class=${`block ${r||``}`}>
    <div class="block-title">${e}</div>
    <div class="block-text" data-testid=${n}>${t}</div>
  </div>`}function Gt({scores:e}){let t=Object.entries(e||{}).sort((e,t)=>e[0].localeCompare(t[0]));return t.length?K`<ul class="scorebars" data-testid="review-scores">
    ${t.map(([e,t])=>K`<li key=${e}>
        <span class="barlist-label">${e}</span>
        <span class="barlist-track"
          ><span class=${`barlist-bar ${Number(t)<.5?`low`:``}`} style=${{width:`${Math.max(0,Math.min(1,Number(t)||0))*100}%`}}></span
        ></span>
        <span class="barlist-count">${Ze(t)}</span>
      </li>`)}
  </ul>`:null}function Kt({ex:e,position:t,pending:n,editing:r,draft:i,setDraft:a,actions:o}){let s=G(null);if(_e(()=>{r&&s.current&&(s.current.focus(),s.current.setSelectionRange(0,0))},[r,e&&e.id]),!e)return K`<div class="card focus-panel empty" data-testid="review-focus-empty">No example selected.</div>`;let c=e.review||{},l=c.rewrite!==null&&c.rewrite!==void 0,u=Ht(e.url);return K`<div
    class="card focus-panel"
    data-testid="review-focus"
    data-example-id=${e.id}
    data-rating=${c.rating??``}
    data-decision=${c.decision??``}
    data-rewritten=${l?`true`:`false`}
    data-passed=${e.passed?`true`:`false`}
    data-pending=${n}
  >
    <div class="focus-head">
      <span class=${`score-pill ${e.passed?`pass`:`fail`}`} title="score">${Ze(e.score)}</span>
      <span class=${`tag ${e.passed?`pass`:`fail`}`}>${e.passed?`passed`:`not passed`}</span>
      ${e.task?K`<span class="tag">${e.task}</span>`:null}
      ${e.language?K`<span class="tag">${e.language}</span>`:null}
      <span class="muted small">${t}</span>
      ${n?K`<span class="muted small saving">saving…</span>`:null}
    </div>
    <div class="muted small mono example-id" data-testid="review-example-id">${e.id}</div>
    <div class="source-line small">
      ${u?K`<a href=${u} target="_blank" rel="noopener noreferrer" data-testid="review-url">${e.title||e.url}</a>`:K`<span>${e.title||e.url||``}</span>`}
      ${e.title&&e.url?K` <span class="muted mono">${et(e.url,80)}</span>`:null}
    </div>

    <${Wt} title="Instruction" text=${e.instruction} testid="review-instruction" />
    ${e.input?K`<${Wt} title="Input" text=${e.input} testid="review-input" />`:null}
    ${r?K`<div class="block editing">
          <div class="block-title">Rewrite the response</div>
          <textarea
            ref=${s}
            class="rewrite-area"
            rows="8"
            value=${i}
            onInput=${e=>a(e.currentTarget.value)}
            onKeyDown=${e=>{e.key===`Enter`&&(e.ctrlKey||e.metaKey)?(e.preventDefault(),o.saveRewrite()):e.key===`Escape`&&(e.preventDefault(),o.cancelEdit())}}
            data-testid="rewrite-textarea"
          ></textarea>
          <div class="button-row">
            <button type="button" onClick=${o.saveRewrite} data-testid="rewrite-save">Save (Ctrl+Enter)</button>
            <button type="button" class="secondary" onClick=${o.cancelEdit} data-testid="rewrite-cancel">Cancel (Esc)</button>
          </div>
        </div>`:l?K`
            <${Wt} title="Response (rewritten)" text=${c.rewrite} testid="review-response" cls="rewritten" />
            <${Wt} title="Original response" text=${e.response} testid="review-original" cls="original" />
          `:K`<${Wt} title="Response" text=${e.response} testid="review-response" />`}
    ${e.label!==null&&e.label!==void 0&&e.label!==``?K`<div class="label-line">Label: <strong data-testid="review-label">${e.label}</strong></div>`:null}

    <div class="review-controls">
      <div class="control-group" role="group" aria-label="rating">
        <span class="control-label">Rating</span>
        ${Array.from({length:10},(e,t)=>t+1).map(e=>K`<button
            type="button"
            key=${e}
            class=${`rate${c.rating===e?` active`:``}`}
            onClick=${()=>o.rate(e)}
            data-testid=${`rate-${e}`}
            aria-pressed=${c.rating===e?`true`:`false`}
          >
            ${e}
          </button>`)}
        <button type="button" class="secondary small-btn" onClick=${()=>o.rate(null)} disabled=${!c.rating} data-testid="rate-clear">
          clear
        </button>
      </div>
      <div class="control-group" role="group" aria-label="decision">
        <span class="control-label">Decision</span>
        <button
          type="button"
          class=${`approve${c.decision===`approved`?` active`:``}`}
          onClick=${()=>o.decide(`approved`)}
          data-testid="approve"
        >
          Approve
        </button>
        <button
          type="button"
          class=${`reject${c.decision===`rejected`?` active`:``}`}
          onClick=${()=>o.decide(`rejected`)}
          data-testid="reject"
        >
          Reject
        </button>
        <button type="button" class="secondary" onClick=${()=>o.decide(null)} disabled=${!c.decision} data-testid="clear-decision">
          Clear
        </button>
        <span class="control-label">Response</span>
        ${r?null:K`<button type="button" class="secondary" onClick=${o.edit} data-testid="rewrite-button">Rewrite</button>`}
        ${l?K`<button type="button" class="secondary" onClick=${o.revert} data-testid="rewrite-revert">Revert rewrite</button>`:null}
      </div>
    </div>

    <div class="current-review small" data-testid="review-current">
      ${e.review?K`Review: rating <strong>${c.rating??`—`}</strong>, decision <strong>${c.decision??`—`}</strong>${`, `}
            ${[l?`rewritten`:`not rewritten`,c.reviewer?`by ${c.reviewer}`:``,c.updated_at?Ye(c.updated_at):``].filter(Boolean).join(`, `)}`:K`<span class="muted">Not reviewed yet.</span>`}
    </div>

    <h4>Checks</h4>
    <${Gt} scores=${e.scores} />
    ${e.notes&&e.notes.length?K`<ul class="notes" data-testid="review-notes">
          ${e.notes.map((e,t)=>K`<li key=${t}>${e}</li>`)}
        </ul>`:null}
    ${e.source?K`<details class="source">
          <summary>Source chunk</summary>
          <div class="block-text">${e.source}</div>
        </details>`:null}
  </div>`}function qt({id:e,focus:t}){let n=encodeURIComponent(e),[r,i]=U(`all`),[a,o]=U(`score`),[s,c]=U(0),[l,u]=U(t||null),[d,f]=U(t?null:`first`),[p,m]=U({}),[h,g]=U({}),[_,v]=U(!1),[y,b]=U(``),[x,S]=U(0),[C,w]=U(0),[T,E]=U(!1),ee=G(Promise.resolve()),D=G({}),O=G(0),k=G(0),A=`filter=${r}&sort=${encodeURIComponent(a)}&limit=${Ft}&offset=${s}`,j=`${A}#${C}`,M=X(()=>{let e=O.current;return q(`GET`,`/jobs/${n}/examples?${A}`).then(t=>({...t,key:j,since:e}))},[e,j]),N=!!M.data&&M.data.key===j,te=M.data?M.data.since:0,P=(M.data&&M.data.examples||[]).map(e=>{let t=D.current[e.id];return t&&t.seq>te?t.ex:e}),F=M.data&&M.data.total||0;W(()=>{t&&(u(t),f(null))},[t]),W(()=>{if(!N||(T&&E(!1),!d))return;let e=M.data.examples||[];if(e.length){let t=d===`last`?e.length-1:typeof d==`number`?Math.max(0,Math.min(e.length-1,d)):0;u(e[t].id)}f(null)},[M.data,d,N]),W(()=>{M.error&&T&&E(!1)},[M.error]),W(()=>{if(!l||h[l])return;let e=!0;return q(`GET`,`/jobs/${n}/examples/${encodeURIComponent(l)}`).then(t=>{e&&(Y(`review-detail`),g(e=>({...e,[l]:t})))}).catch(t=>e&&J(`review-detail`,t)),()=>{e=!1}},[l]),W(()=>{if(!l)return;let e=document.querySelector(`[data-testid="review-item"][data-example-id="${CSS.escape(l)}"]`);e&&e.scrollIntoView({block:`nearest`})},[l,M.data]);let ne=l?h[l]:null,I=(l?P.find(e=>e.id===l):null)||l&&p[l]||ne,L=I?{...I,source:I.source||ne&&ne.source}:null,re=l?P.findIndex(e=>e.id===l):-1,R=re>=0?`${Z(s+re+1)} of ${Z(F)}`:L?`not in this list`:``,z=(e,t)=>{S(e=>e+1),ee.current=ee.current.then(()=>q(`PUT`,`/jobs/${n}/examples/${encodeURIComponent(e)}/review`,t)).then(e=>{Y(`review-action`),e&&e.id&&(O.current+=1,D.current={...D.current,[e.id]:{ex:e,seq:O.current}},m(t=>({...t,[e.id]:e})))}).catch(e=>J(`review-action`,e)).finally(()=>S(e=>e-1))},B=M.data&&M.data.examples||[],ie=N&&s+B.length<F,ae=N&&s>0,V=(e,t)=>{if(v(!1),!N||T)return;E(!0);let n=B,i=s,a=r,o=k.current,l=te;ee.current=ee.current.then(()=>{if(o!==k.current)return;let r,s=t;if(e>0){let e={};for(let[t,n]of Object.entries(D.current))n.seq>l&&(e[t]=n.ex);r=zt(a,i,n,e)}else r=Math.max(0,i-Ft),s===`last`&&(s=i-1-r);c(r),f(s),w(e=>e+1)})},oe=e=>{if(v(!1),!N||T||!P.length)return;if(re<0){u(P[0].id);return}let t=re+e;t>=0&&t<P.length?u(P[t].id):t>=P.length&&ie?V(1,`first`):t<0&&ae&&V(-1,`last`)},se=e=>{let t=e.review||{};return t.rewrite!==null&&t.rewrite!==void 0?t.rewrite:e.response},ce={rate:e=>L&&!T&&z(L.id,{rating:e}),decide:e=>L&&!T&&z(L.id,{decision:e}),edit:()=>{L&&!T&&(b(se(L)||``),v(!0))},cancelEdit:()=>v(!1),saveRewrite:()=>{L&&!T&&(z(L.id,{rewrite:y}),v(!1))},revert:()=>L&&!T&&z(L.id,{rewrite:null}),next:()=>oe(1),prev:()=>oe(-1)},H=G(null);return H.current={actions:ce,editing:_},W(()=>{let e=e=>{if(e.defaultPrevented||e.ctrlKey||e.metaKey||e.altKey||Vt(e.target))return;let{actions:t,editing:n}=H.current;if(n)return;let r=e.key,i=!0;r>=`1`&&r<=`9`&&r.length===1?t.rate(Number(r)):r===`0`?t.rate(10):r===`a`?t.decide(`approved`):r===`r`?t.decide(`rejected`):r===`u`?t.decide(null):r===`e`?t.edit():r===`j`||r===`ArrowDown`?t.next():r===`k`||r===`ArrowUp`?t.prev():i=!1,i&&e.preventDefault()};return window.addEventListener(`keydown`,e),()=>window.removeEventListener(`keydown`,e)},[]),K`<section data-testid="review-page">
    <${ot} id=${e} />
    <${at} id=${e} active="review" />
    <div class="toolbar">
      <label>Show
        <select value=${r} onChange=${e=>{k.current+=1,i(e.currentTarget.value),c(0),f(`first`),e.currentTarget.blur()}} data-testid="review-filter">
          ${It.map(([e,t])=>K`<option key=${e} value=${e}>${t}</option>`)}
        </select>
      </label>
      <label>Sort
        <select value=${a} onChange=${e=>{k.current+=1,o(e.currentTarget.value),c(0),f(`first`),e.currentTarget.blur()}} data-testid="review-sort">
          ${Lt.map(([e,t])=>K`<option key=${e} value=${e}>${t}</option>`)}
        </select>
      </label>
      <span class="muted small" data-testid="review-total">
        ${M.data?F?`${Z(s+1)}–${Z(Math.min(s+Ft,F))} of ${Z(F)}`:`no examples`:``}
      </span>
      <button type="button" class="secondary" disabled=${!ae||T} onClick=${()=>V(-1,`first`)} data-testid="review-prev-page">
        ← Previous ${Ft}
      </button>
      <button type="button" class="secondary" disabled=${!ie||T} onClick=${()=>V(1,`first`)} data-testid="review-next-page">
        Next ${Ft} →
      </button>
    </div>
    <p class="help small" data-testid="review-help">${Bt}</p>
    <div class="review-layout">
      <div class="review-list-wrap">
        ${M.loading&&!M.data?K`<${Q} what="examples" />`:null}
        ${M.data&&!P.length?K`<p class="muted">No examples match.</p>`:null}
        <ul class="review-list" data-testid="review-list">
          ${P.map(e=>K`<${Ut}
              key=${e.id}
              ex=${e}
              focused=${e.id===l}
              onClick=${()=>{v(!1),u(e.id)}}
            />`)}
        </ul>
      </div>
      <${Kt}
        ex=${L}
        position=${R}
        pending=${x}
        editing=${_}
        draft=${y}
        setDraft=${b}
        actions=${ce}
      />
    </div>
  </section>`}var Jt=(function(){let e=typeof document<`u`&&document.createElement(`link`).relList;return e&&e.supports&&e.supports(`modulepreload`)?`modulepreload`:`preload`})(),Yt=function(e){return`/`+e},Xt={},Zt=function(e){return e.pathname.endsWith(`.css`)},Qt=function(e,t,n){if(t in e)return e[t];let r=n();if(!r){e[t]=void 0;return}let i=r.then(()=>{e[t]=void 0},n=>{throw e[t]=void 0,n});return e[t]=i,i},$t=function(e,t,n){let r=Promise.resolve();if(t&&t.length>0){let e,i=document.querySelector(`meta[property=csp-nonce]`),a=i?.nonce||i?.getAttribute(`nonce`);function o(e){return Promise.all(e.map(e=>Promise.resolve(e).then(e=>({status:`fulfilled`,value:e}),e=>({status:`rejected`,reason:e}))))}function s(e){return import.meta.resolve?new URL(import.meta.resolve(e)):new URL(e,import.meta.url)}r=o(t.map(t=>{t=Yt(t,n);let r=s(t),i=Zt(r);return Qt(Xt,r.href,()=>{if(e===void 0){e={all:new Set,styles:new Set};let t=document.getElementsByTagName(`link`);for(let n=t.length-1;n>=0;n--){let r=t[n];e.all.add(r.href),r.rel===`stylesheet`&&e.styles.add(r.href)}}if((i?e.styles:e.all).has(r.href))return;let t=document.createElement(`link`);if(t.rel=i?`stylesheet`:Jt,i||(t.as=`script`),t.crossOrigin=``,t.href=r.href,a&&t.setAttribute(`nonce`,a),document.head.appendChild(t),i)return new Promise((e,n)=>{let i=a=>{t.removeEventListener(`load`,i),t.removeEventListener(`error`,i),a.type===`error`?n(Error(`Unable to preload CSS for ${r}`)):e(a)};t.addEventListener(`load`,i),t.addEventListener(`error`,i)})})}).filter(e=>e!==void 0))}function i(e){let t=new Event(`vite:preloadError`,{cancelable:!0});if(t.payload=e,window.dispatchEvent(t),!t.defaultPrevented)throw e}return r.then(t=>{for(let e of t||[])e.status===`rejected`&&i(e.reason);return e().catch(i)})},en=[`openai`,`sharegpt`,`alpaca`],tn=e=>String(e||``).split(`/`).pop()||`download`;function nn(e){let t=/^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(e||``);return t?{front:t[1],body:e.slice(t[0].length)}:{front:null,body:e||``}}var rn=null;async function an(e){if(!rn){let{default:e}=await $t(async()=>{let{default:e}=await import(`./markdown-it-DjB7RcUx.js`);return{default:e}},[]);rn=new e({html:!1,linkify:!1,typographer:!1})}return rn.render(e)}function on({text:e}){let{front:t,body:n}=nn(e),[r,i]=U(null);return W(()=>{let e=!0;return an(n).then(t=>e&&i(t)),()=>{e=!1}},[n]),K`<div class="dataset-card" data-testid="export-card">
    ${t===null?null:K`<div class="front-matter">
          <div class="block-title">Front matter</div>
          <pre data-testid="card-front-matter">${t}</pre>
        </div>`}
    ${r===null?K`<${Q} what="card" />`:K`<div class="markdown" data-testid="card-body" dangerouslySetInnerHTML=${{__html:r}}></div>`}
  </div>`}function sn({file:e}){let t=e.url||``,n=e.file||tn(e.key),[r,i]=U(!1);return/^https?:\/\//i.test(t)?K`<a href=${t} target="_blank" rel="noopener noreferrer" data-testid="export-file" data-file=${n} title=${e.key}
      >${n}</a
    >`:K`<a
    href=${Le(t)}
    download=${tn(n)}
    onClick=${async e=>{e.preventDefault(),i(!0);try{let e=await(await Be(t)).blob(),r=URL.createObjectURL(e),i=document.createElement(`a`);i.href=r,i.download=tn(n),document.body.appendChild(i),i.click(),i.remove(),setTimeout(()=>URL.revokeObjectURL(r),6e4),Y(`download`)}catch(e){J(`download`,e)}finally{i(!1)}}}
    data-testid="export-file"
    data-file=${n}
    data-url=${t}
    title=${e.key}
    class=${r?`busy`:``}
    >${n}</a
  >`}function cn(e,t){if(e&&Array.isArray(e.formats))return e.formats;let n=new Set;for(let e of t||[]){let t=tn(e.file).split(`.`);/^(train|validation|test)/.test(t[0])&&(t.length===2?n.add(t[1]===`jsonl`?`jsonl`:t[1]):t.length>=3&&n.add(t.slice(1,-1).join(`.`)))}return[...n].sort()}function ln({manifest:e,files:t}){let n=e.splits||{},r=cn(e,t);return K`<div class="manifest" data-testid="export-manifest">
    <dl class="kv kv-inline">
      <div class="kv-row"><dt>created</dt><dd>${Ye(e.created_at)}</dd></div>
      ${e.kind?K`<div class="kv-row"><dt>kind</dt><dd>${e.kind}</dd></div>`:null}
      <div class="kv-row"><dt>tokens</dt><dd>${Z(e.tokens)}</dd></div>
      ${Object.entries(n).map(([e,t])=>K`<div class="kv-row" key=${e} data-testid=${`split-${e}`}>
          <dt>${e}</dt>
          <dd>${Z(t&&t.records)} records${t&&t.tokens!==void 0?`, ${Z(t.tokens)} tokens`:``}</dd>
        </div>`)}
      <div class="kv-row"><dt>formats</dt><dd>${r.length?r.join(`, `):`—`}</dd></div>
    </dl>
    <details>
      <summary class="small">Manifest</summary>
      <pre class="json">${JSON.stringify(e,null,2)}</pre>
    </details>
  </div>`}function un({jobId:e,version:t,latest:n}){let r=t.version,i=t.complete!==!1,a=X(()=>i?q(`GET`,`/jobs/${encodeURIComponent(e)}/exports/${r}`):Promise.resolve(null),[e,r,i]),[o,s]=U(!1),c=a.data;return K`<div class="card export-version" data-testid="export-version" data-version=${r}>
    <div class="export-head">
      <h3>
        Version ${r}${n?K` <span class="tag">latest</span>`:null}${i?null:K` <span class="tag fail" data-testid="export-incomplete">incomplete</span>`}
      </h3>
      ${c&&c.card?K`<button type="button" class="secondary" onClick=${()=>s(!o)} data-testid="card-toggle">
            ${o?`Hide card`:`Show card`}
          </button>`:null}
    </div>
    <div class="files">
      <span class="muted small">Files:</span>
      <ul class="file-list">
        ${(t.files||[]).map(e=>K`<li key=${e.file||e.key}><${sn} file=${e} /></li>`)}
      </ul>
    </div>
    ${c&&c.manifest?K`<${ln} manifest=${c.manifest} files=${t.files} />`:a.loading?K`<${Q} what="manifest" />`:null}
    ${o&&c&&c.card?K`<${on} text=${c.card} />`:null}
  </div>`}function dn(e){let t=e&&e.config&&e.config.export;return t?{formats:Array.isArray(t.formats)?[...new Set(t.formats.filter(e=>e!==`jsonl`))]:[],minScore:typeof t.min_score==`number`?t.min_score:0}:null}var fn=(e,t)=>e.length===t.length&&e.every(e=>t.includes(e));function pn({defaults:e,formats:t,formatsTouched:n,minScore:r,minScoreTouched:i,minRating:a}){let o={},s=[...new Set(t.filter(e=>e!==`jsonl`))];(e?!fn(s,e.formats):n)&&(o.formats=s);let c=String(r).trim();if(c!==``){let t=Number(c);(e?t!==e.minScore:i)&&(o.min_score=t)}let l=String(a).trim();return l!==``&&(o.min_rating=Number(l)),o}function mn({jobId:e,formats:t,defaults:n,onCreated:r}){let i=[...new Set([...t,...n&&n.formats||[]])].filter(e=>e!==`jsonl`),[a,o]=U(()=>Object.fromEntries((n&&n.formats||[]).map(e=>[e,!0]))),[s,c]=U(!1),[l,u]=U(()=>String(n?n.minScore:0)),[d,f]=U(!1),[p,m]=U(``),[h,g]=U(!1),[_,v]=U(null);return K`<form class="card new-export" onSubmit=${async t=>{t.preventDefault();let o=pn({defaults:n,formats:i.filter(e=>a[e]),formatsTouched:s,minScore:l,minScoreTouched:d,minRating:p});g(!0);try{let t=await q(`POST`,`/jobs/${encodeURIComponent(e)}/exports`,o);Y(`new-export`),v(t&&t.version),r(t)}catch(e){J(`new-export`,e)}finally{g(!1)}}} data-testid="export-form">
    <h2>New export</h2>
    <div class="form-row">
      <span class="control-label">Formats</span>
      <label class="check"><input type="checkbox" checked disabled /> jsonl <span class="muted small">(always written)</span></label>
      ${i.map(e=>K`<label class="check" key=${e}>
          <input
            type="checkbox"
            checked=${!!a[e]}
            onChange=${t=>{o({...a,[e]:t.currentTarget.checked}),c(!0)}}
            data-testid=${`export-format-${e}`}
          />
          ${e}
        </label>`)}
    </div>
    <div class="form-row">
      <label
        >Min score
        <input type="number" min="0" max="1" step="0.01" value=${l}
          placeholder=${n?String(n.minScore):``}
          onInput=${e=>{u(e.currentTarget.value),f(!0)}}
          data-testid="export-min-score"
      /></label>
      <label
        >Min rating
        <input
          type="number"
          min="1"
          max="10"
          step="1"
          placeholder="any"
          value=${p}
          onInput=${e=>m(e.currentTarget.value)}
          data-testid="export-min-rating"
      /></label>
      <button type="submit" disabled=${h} data-testid="export-submit">${h?`Exporting…`:`Create export`}</button>
      ${_==null?null:K`<span class="ok small" data-testid="export-created" data-version=${_}>Created version ${_}.</span>`}
    </div>
    <p class="muted small" data-testid="export-defaults">
      ${n?K`Prefilled from the job's config (formats: ${n.formats.length?n.formats.join(`, `):`none beyond jsonl`},${` `}
            min score ${n.minScore}); only changes from it are sent.`:K`The job's config could not be read: fields left as they are use the job's own export settings.`}${` `}
      Rejected examples are left out; rewritten ones are exported with the rewrite, the original kept under${` `}
      <code>review.original_response</code>.
    </p>
  </form>`}function hn({id:e}){let t=encodeURIComponent(e),n=X(()=>q(`GET`,`/jobs/${t}/exports`),[e]),[r,i]=U(null),[a,o]=U(void 0);W(()=>{let e=!0;return o(void 0),q(`GET`,`/jobs/${t}`).then(t=>{e&&(Y(`export-defaults`),o(dn(t)))}).catch(t=>{e&&(o(null),J(`export-defaults`,t))}),()=>{e=!1}},[e]),W(()=>{let e=!0;return q(`GET`,`/formats`).then(t=>e&&i(t&&Array.isArray(t.formats)&&t.formats.length?t.formats:en)).catch(()=>e&&i(en)),()=>{e=!1}},[]);let s=[...n.data&&n.data.versions||[]].sort((e,t)=>t.version-e.version);return K`<section data-testid="exports-page">
    <${ot} id=${e}>
      <div class="actions"><button type="button" class="secondary" onClick=${n.reload} data-testid="exports-refresh">Refresh</button></div>
    <//>
    <${at} id=${e} active="exports" />
    ${r&&a!==void 0?K`<${mn} key=${e} jobId=${e} formats=${r} defaults=${a} onCreated=${n.reload} />`:K`<${Q} what="export settings" />`}
    <h2>Versions</h2>
    ${n.data&&n.data.expires_in_s&&s.some(e=>(e.files||[]).some(e=>/^https?:\/\//i.test(e.url||``)))?K`<p class="muted small">Download links from object storage expire after ${Z(n.data.expires_in_s)} s: refresh to renew them.</p>`:null}
    ${n.loading&&!n.data?K`<${Q} what="exports" />`:null}
    ${n.data&&!s.length?K`<p class="muted" data-testid="exports-empty">No export yet.</p>`:null}
    <div data-testid="export-versions">
      ${s.map((t,n)=>K`<${un} key=${t.version} jobId=${e} version=${t} latest=${n===0} />`)}
    </div>
  </section>`}function gn(e){let t=[],n=``,r=!1;for(let i=0;i<e.length;i++){let a=e[i];r?a===`"`&&e[i+1]===`"`?(n+=`"`,i++):a===`"`?r=!1:n+=a:a===`"`?r=!0:a===`,`?(t.push(n),n=``):n+=a}return t.push(n),t.map(e=>e.trim())}var _n=e=>/^https?:\/\/\S+$/i.test(e);function vn(e,t){let n=t.replace(/^\uFEFF/,``).split(/\r?\n/),r=e.toLowerCase();if(r.endsWith(`.jsonl`)||r.endsWith(`.ndjson`)){let e=[];for(let t of n)if(t.trim())try{let n=JSON.parse(t);n&&typeof n.url==`string`&&e.push(n.url.trim())}catch{}return e}if(r.endsWith(`.csv`)){let e=n.filter(e=>e.trim()).map(gn);if(!e.length)return[];let t=e[0].findIndex(e=>e.toLowerCase()===`url`);return t>=0?e.slice(1).map(e=>e[t]||``).filter(Boolean):e.flat().filter(_n)}return n.map(e=>e.trim()).filter(Boolean)}function yn({data:e}){let t=e.estimate||{};return K`<div class="card estimate" data-testid="estimate">
    <h2>Estimate</h2>
    <div class="stats-row">
      <div class="stat"><div class="stat-value" data-testid="estimate-cost">${t.priced===!1?`unpriced`:Xe(t.cost_usd)}</div><div class="stat-label">cost</div></div>
      <div class="stat"><div class="stat-value">${Z(e.urls)}</div><div class="stat-label">URLs accepted</div></div>
      <div class="stat"><div class="stat-value">${Z(t.pages)}</div><div class="stat-label">pages</div></div>
      <div class="stat"><div class="stat-value">${Z(t.chunks)}</div><div class="stat-label">chunks</div></div>
      <div class="stat"><div class="stat-value">${Z(t.llm_calls)}</div><div class="stat-label">LLM calls</div></div>
    </div>
    <dl class="kv kv-inline">
      <div class="kv-row"><dt>model</dt><dd>${t.model||`—`}</dd></div>
      <div class="kv-row"><dt>prompt tokens</dt><dd>${Z(t.prompt_tokens)}</dd></div>
      <div class="kv-row"><dt>completion tokens</dt><dd>${Z(t.completion_tokens)}</dd></div>
    </dl>
    ${t.priced===!1?K`<p class="small">The model has no known price: the cost is not estimated.</p>`:null}
    ${t.basis?K`<p class="muted small" data-testid="estimate-basis">${t.basis}</p>`:null}
    ${e.refused&&e.refused.length?K`<div><p>${tt(e.refused.length,`line`)} refused:</p><${dt} refused=${e.refused} /></div>`:null}
  </div>`}function bn(){let e=X(()=>q(`GET`,`/templates`),[]),[t,n]=U(``),[r,i]=U(``),[a,o]=U(!1),[s,c]=U(null),[l,u]=U(!1),[d,f]=U(``),p=e.data&&e.data.templates||[],m=r||(p.find(e=>e.name===`qa`)?`qa`:p[0]?p[0].name:``),h=p.find(e=>e.name===m),g=t.split(/\r?\n/).map(e=>e.trim()).filter(Boolean),_=()=>{let e={inspector:{judge:a}};return m&&(e.factory={template:m}),{urls:g,config:e}},v=e=>t=>{e(t),c(null)};return K`<section data-testid="new-job-page">
    <div class="page-head"><h1>New job</h1></div>
    <form class="card" onSubmit=${async e=>{e.preventDefault(),u(!0);try{let e=await q(`POST`,`/jobs`,_());Y(`new-job`),bt(e.job_id,e),ut(`#/jobs/${encodeURIComponent(e.job_id)}`)}catch(e){J(`new-job`,e),u(!1)}}} data-testid="new-job-form">
      <label class="block-label" for="urls">URLs, one per line</label>
      <textarea
        id="urls"
        rows="10"
        class="mono"
        placeholder="https://example.com/docs/page-1"
        value=${t}
        onInput=${v(e=>n(e.currentTarget.value))}
        data-testid="urls-input"
      ></textarea>
      <div class="form-row">
        <label
          >Or upload a list (.txt, .csv with a <code>url</code> column, .jsonl with <code>url</code> fields)
          <input type="file" accept=".txt,.csv,.jsonl,.ndjson,text/plain,text/csv" onChange=${async e=>{let t=e.currentTarget.files&&e.currentTarget.files[0];if(!t)return;let r=vn(t.name,await t.text());n(r.join(`
`)),c(null),f(`${r.length} URLs read from ${t.name}`)}} data-testid="urls-file" />
        </label>
        <span class="muted small" data-testid="urls-count">${Z(g.length)} URLs${d?` · ${d}`:``}</span>
      </div>
      <div class="form-row">
        <label
          >Template
          <select value=${m} onChange=${v(e=>i(e.currentTarget.value))} data-testid="template-select">
            ${p.map(e=>K`<option key=${e.name} value=${e.name}>${e.name}${e.version?` (v${e.version})`:``}</option>`)}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked=${a} onChange=${v(e=>o(e.currentTarget.checked))} data-testid="judge-checkbox" />
          LLM judge (scores each example with a second model call)
        </label>
      </div>
      ${h&&h.description?K`<p class="muted small" data-testid="template-description">${h.description}</p>`:null}
      <div class="button-row">
        <button type="button" class=${s?`secondary`:``} onClick=${async()=>{u(!0);try{let e=await q(`POST`,`/estimate`,_());Y(`new-job`),c(e)}catch(e){J(`new-job`,e)}finally{u(!1)}}} disabled=${l||!g.length} data-testid="estimate-button">
          Estimate
        </button>
        ${s?K`<button type="submit" disabled=${l} data-testid="submit-job">Start job</button>`:K`<span class="muted small">Estimate the cost first; the job can then be started.</span>`}
      </div>
    </form>
    ${s?K`<${yn} data=${s} />`:null}
  </section>`}function xn(){let e=Fe(),[t,n]=U(e.base),[r,i]=U(e.token),[a,o]=U(!1),[s,c]=U(null);return K`<section data-testid="settings-page">
    <div class="page-head"><h1>Settings</h1></div>
    <form class="card settings" onSubmit=${e=>{e.preventDefault(),Ie({base:t,token:r});let a=Fe();n(a.base),i(a.token),c({ok:!0,text:`Saved.`})}}>
      <label class="block-label" for="api-base">API base URL</label>
      <input
        id="api-base"
        type="url"
        placeholder="empty: this origin"
        value=${t}
        onInput=${e=>n(e.currentTarget.value)}
        data-testid="settings-base"
      />
      <p class="muted small">Leave empty when the dashboard is served by <code>datafactory serve</code>.</p>
      <label class="block-label" for="api-token">Bearer token</label>
      <div class="form-row">
        <input
          id="api-token"
          type=${a?`text`:`password`}
          autocomplete="off"
          placeholder="none"
          value=${r}
          onInput=${e=>i(e.currentTarget.value)}
          data-testid="settings-token"
        />
        <label class="check"><input type="checkbox" checked=${a} onChange=${e=>o(e.currentTarget.checked)} /> show</label>
      </div>
      <p class="muted small">Sent as <code>Authorization: Bearer …</code> with every request; kept in this browser's local storage.</p>
      <div class="button-row">
        <button type="submit" data-testid="settings-save">Save</button>
        <button type="button" class="secondary" onClick=${async()=>{Ie({base:t,token:r}),c({ok:!0,text:`Testing…`});try{let e=await q(`GET`,`/jobs?limit=1`);c({ok:!0,text:`Connected: the API answered (${(e.jobs||[]).length?`jobs found`:`no jobs yet`}).`})}catch(e){c({ok:!1,text:e.status===401?`Not authorized: ${e.message}`:`Failed: ${e.message}`})}}} data-testid="settings-test">Save and test</button>
        <button type="button" class="secondary" onClick=${()=>{Ie({base:``,token:``}),n(``),i(``),c({ok:!0,text:`Cleared: requests go to this origin without a token.`})}} data-testid="settings-clear">Clear</button>
        ${s?K`<span class=${s.ok?`ok small`:`bad small`} data-testid="settings-note">${s.text}</span>`:null}
      </div>
    </form>
  </section>`}function Sn(e){let t=(e||``).replace(/^#/,``)||`/`,n=t.indexOf(`?`),r=n>=0?t.slice(0,n):t,i=new URLSearchParams(n>=0?t.slice(n+1):``),a;try{a=r.split(`/`).filter(Boolean).map(decodeURIComponent)}catch{return{page:`notfound`,query:i}}return a.length===0?{page:`jobs`,query:i}:a.length===1&&a[0]===`new`?{page:`new`,query:i}:a.length===1&&a[0]===`settings`?{page:`settings`,query:i}:a[0]===`jobs`&&a.length===1?{page:`jobs`,query:i}:a[0]===`jobs`&&a.length===2?{page:`job`,id:a[1],query:i}:a[0]===`jobs`&&a.length===3&&[`quality`,`review`,`exports`].includes(a[2])?{page:a[2],id:a[1],query:i}:{page:`notfound`,query:i}}function Cn({route:e}){let[,t]=U(0);W(()=>{let e=()=>t(e=>e+1);return window.addEventListener(Me,e),()=>window.removeEventListener(Me,e)},[]);let n=t=>t.includes(e.page)?`active`:``,{token:r,base:i}=Fe();return K`<header class="topbar">
    <a class="brand" href="#/" data-testid="nav-home">datafactory</a>
    <nav>
      <a href="#/" class=${n([`jobs`,`job`,`quality`,`review`,`exports`])} data-testid="nav-jobs">Jobs</a>
      <a href="#/new" class=${n([`new`])} data-testid="nav-new">New job</a>
      <a href="#/settings" class=${n([`settings`])} data-testid="nav-settings">Settings</a>
    </nav>
    <span class="topbar-info muted small">
      ${i?`API ${i}`:`API: this origin`}${r?` · token set`:``}
    </span>
  </header>`}function wn({route:e}){switch(e.page){case`jobs`:return K`<${vt} />`;case`job`:return K`<${kt} key=${e.id} id=${e.id} />`;case`quality`:return K`<${Pt} key=${e.id} id=${e.id} />`;case`review`:return K`<${qt} key=${e.id} id=${e.id} focus=${e.query.get(`focus`)} />`;case`exports`:return K`<${hn} key=${e.id} id=${e.id} />`;case`new`:return K`<${bn} />`;case`settings`:return K`<${xn} />`;default:return K`<div class="card"><h1>Not found</h1><p>No page at this address. <a href="#/">Back to the jobs</a>.</p></div>`}}function Tn(){let e=Sn(qe());return W(()=>We(),[`${e.page}/${e.id||``}`]),K`<div class="app">
    <${Cn} route=${e} />
    <main class="content">
      <${it} />
      <${wn} route=${e} />
    </main>
  </div>`}R(K`<${Tn} />`,document.getElementById(`app`));