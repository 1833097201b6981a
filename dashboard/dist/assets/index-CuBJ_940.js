var e,t,n,r,i,a,o,s,c,l,u=Symbol.for(`pv`),d={},f=[],p=/^m(i|n|o|s|text|space)$/,m=Array.isArray,h=f.slice,g=Object.assign;function _(e){e&&e.parentNode&&e.remove()}function v(e,t,n){var r,i,a,o={},s=arguments.length;for(a in t)a==`key`?r=t[a]:a==`ref`&&typeof e!=`function`?i=t[a]:o[a]=t[a];return s>2&&(o.children=s>3?h.call(arguments,2):n),y(e,o,r,i,null)}function y(n,r,i,a,o){var s={type:n,props:r,key:i,ref:a,__k:null,__:null,__b:0,__e:null,__c:null,constructor:u,__v:o||++t,__i:-1,__u:0};return!o&&e.vnode&&e.vnode(s),s}function b(e){return e.children}function x(e,t){this.props=e,this.context=t,this.__g=0}function S(e,t){if(t==null)return e.__&&S(e.__,e.__i+1);for(var n;t<e.__k.length;t++)if((n=e.__k[t])&&n.__e)return n.__e;return typeof e.type!=`function`||e.props.__P?null:S(e)}function C(t){var n,r=t.__v,i=r.__e,a=[],o=[],s=t.__P;s&&((n=g({constructor:u},r)).__v=r.__v+1,e.vnode&&e.vnode(n),P(s,n,r,t.__n,s.namespaceURI,32&r.__u?[i]:null,a,i||S(r),32&r.__u,o),n.__v=r.__v,n.__.__k[n.__i]=n,te(a,n,o),r.__=r.__e=null,n.__e!=i&&w(n))}function w(e){if((e=e.__)&&e.__c&&!e.props.__P)return e.__e=null,e.__k.some(function(t){return t&&(e.__e=t.__e)}),w(e)}function T(t){(8&t.__g||(t.__g|=8,n.push(t),i++))&&r==e.debounceRendering||((r=e.debounceRendering)||queueMicrotask)(E)}function E(){try{for(var e,t=1;n.length;)n.length>t&&n.sort(a),e=n.shift(),t=n.length,8&e.__g&&C(e)}finally{(i=n.length)&&(r||queueMicrotask)(E)}}function D(e,t,n,r,i,a,o,s,c,l,u){var p,m,h,g,_,v,y=r.__k||f,b=t.length;for(c=O(n,t,y,c,b),p=0;p<b;p++)(h=n.__k[p])!=null&&(m=~h.__i&&y[h.__i]||d,h.__i=p,v=P(e,h,m,i,a,o,s,c,l,u),g=h.__e,(m.ref!=h.ref||8&m.__u)&&(m.ref&&I(m.ref,null,h,m),h.ref&&u.push(h.ref,h.__c||g,h)),_||=g,4&h.__u?(c=k(h,c,e,!m.__v),m.__e&&(m.__e=null)):typeof h.type==`function`&&v!==void 0?c=v:g&&(c=g.nextSibling),h.__u&=-21);return n.__e=_,c}function O(e,t,n,r,i){var a,o,s,c,l,d,f,p,h,g=n.length,_=g,v=0,x=0,C=e.__k=Array(i);for(a=0;a<i;a++)(o=t[a])!=null&&typeof o!=`boolean`&&typeof o!=`function`?(typeof o!=`object`||o.constructor===String?o=C[a]=y(null,o):m(o)?o=C[a]=y(b,{children:o}):o.constructor===u&&o.__b?o=C[a]=y(o.type,o.props,o.key,o.ref,o.__v):C[a]=o,c=a+v,o.__=e,o.__b=e.__b+1,s=null,~(l=o.__i=A(o,n,c,_))&&(_--,(s=n[l])&&(s.__u|=2)),s&&s.__v?(o.__u|=16,l==c-1?v--:l==c+1?v++:l!=c&&(l>c?v--:v++,x=1)):(~l||(i>g?v--:i<g&&v++),typeof o.type!=`function`&&(o.__u|=4))):C[a]=null;if(x){for(d=[],f=[],a=0;a<i;a++)if((o=C[a])&&16&o.__u){for(v=0,p=d.length;v<p;)d[h=v+p>>1]<o.__i?v=h+1:p=h;d[v]=o.__i,f[a]=v+1}for(v=d.length;a--;)f[a]&&(f[a]==v?v--:C[a].__u|=4)}if(_)for(a=0;a<g;a++)!(s=n[a])||2&s.__u||(s.__e==r&&(r=S(s)),re(s,s));return r}function k(e,t,n,r){var i,a,o,s;if(typeof e.type==`function`){if(e.props.__P)return t;if(i=e.__k)for(a=0;a<i.length;a++)i[a]&&(i[a].__=e,t=k(i[a],t,n,!1));return t}for(t&&!t.parentNode&&(t=S(e))&&!t.parentNode&&(t=null),o=e.__e,s=t;s&&s.nodeType==8;)s=s.nextSibling;for(o!=s&&(!r&&n.moveBefore&&o.parentNode?n.moveBefore(o,t):n.insertBefore(o,t||null)),t=o;(t&&=t.nextSibling)&&t.nodeType==8&&!t.data.startsWith(`$s`););return t}function A(e,t,n,r){var i,a=e.key,o=e.type,s=t[n],c=s&&!(2&s.__u);if(s===null&&a==null||c&&a==s.key&&o==s.type)return n;if(r>+!!c){for(i=n-1;i>=0;i--)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i;for(i=n+1;i<t.length;i++)if((s=t[i])&&!(2&s.__u)&&a==s.key&&o==s.type)return i}return-1}function j(e,t,n){n??=``,t[0]==`-`?e.setProperty(t,n):e[t]=n}function M(e,t,n,r,i){var a,o;if(t==`style`){if(typeof n==`string`)e.style.cssText=n;else{if(typeof r==`string`&&(e.style.cssText=r=``),r)for(t in r)n&&t in n||j(e.style,t);if(n)for(t in n)r&&n[t]==r[t]||j(e.style,t,n[t])}}else if(t[0]==`o`&&t[1]==`n`)typeof n!=`function`&&(n=null),typeof r!=`function`&&(r=null),(e.__e||={})[t]=n,n&&r||(o=l[t]||(l[t]=N(t)),(e.__a||={})[t]=c,a=t!=(t=t.replace(s,`$1`)),(t=t.slice(2))[0]<`a`&&(t=t.toLowerCase()),n?e.addEventListener(t,o,a):e.removeEventListener(t,o,a));else{if(i==`http://www.w3.org/2000/svg`)t=t.replace(/xlink(H|:h)/,`h`).replace(/sName$/,`s`);else if(t!=`width`&&t!=`height`&&t!=`href`&&t!=`list`&&t!=`form`&&t!=`tabIndex`&&t!=`download`&&t!=`rowSpan`&&t!=`colSpan`&&t!=`role`&&t!=`popover`&&t in e)try{e[t]=n??``;return}catch{}if(typeof n==`function`)return;n==null||!1===n&&t[4]!=`-`?e.removeAttribute(t):e.setAttribute(t,t==`popover`&&n==1?``:n)}}function N(t){return function(n){var r=this.__e;if(r){if(r=r[t],n[o]==null)n[o]=c++;else if(n[o]<this.__a[t])return;return r(e.event?e.event(n):n)}}}function P(t,n,r,i,a,o,s,c,l,d){var p,h,v,y,C,w,T,E,O,k,A,j,M,N,P,te,I,L,R=n.type;if(n.constructor!==u)return null;128&r.__u&&(l=32&r.__u,p=r.__c.__z)&&(n.__u|=l,h=o=[],p.nodeType==8?c=F(p,o):o.push(p),c=o[0]||c),(p=e.__b)&&p(n);n:if(typeof R==`function`){v=s.length;try{if(E=n.props,O=(p=R.prototype)&&p.render,k=(p=R.contextType)&&i[p.__c],A=p?k?k.props.value:p.__:i,(y=r.__c)?(n.__c=y,2&y.__g&&(y.__g|=1)):(O?n.__c=y=new R(E,A):(n.__c=y=new x(E,A),y.constructor=R,y.render=ie),k&&k.sub(y),y.state||(y.state={}),y.__n=i,y.__g|=8,y.__h=[],y.__k=[]),O&&(y.__s||(y.__s=y.state),R.getDerivedStateFromProps&&(y.__s==y.state&&(y.__s=g({},y.__s)),g(y.__s,R.getDerivedStateFromProps(E,y.__s)))),C=y.props,w=y.state,y.__v=n,r.__c){if(E!==C&&O&&!R.getDerivedStateFromProps&&y.componentWillReceiveProps&&y.componentWillReceiveProps(E,A),n.__v==r.__v&&!(8&y.__g)||!(4&y.__g)&&y.shouldComponentUpdate&&!1===y.shouldComponentUpdate(E,y.__s,A)){n.__v!=r.__v&&(y.props=E,y.state=y.__s,y.__g&=-9),n.__e=r.__e,n.__k=r.__k,n.__k.some(function(e){e&&(e.__=n)}),f.push.apply(y.__h,y.__k),y.__k=[],y.__h.length&&s.push(y),c=S(r);break n}y.componentWillUpdate&&y.componentWillUpdate(E,y.__s,A),O&&y.componentDidUpdate&&y.__h.push(function(){y.componentDidUpdate(C,w,T)})}else O&&!R.getDerivedStateFromProps&&y.componentWillMount&&y.componentWillMount(),O&&y.componentDidMount&&y.__h.push(y.componentDidMount);y.context=A,y.props=E,y.__P=t,y.__g&=-5,j=e.__r,M=O?25:0;do y.__g&=-9,j&&j(n),p=y.render(y.props,y.state=y.__s,y.context);while(8&y.__g&&++M<25);O&&(f.push.apply(y.__h,y.__k),y.__k=[]),y.state=y.__s,y.getChildContext&&(i=g({},i,y.getChildContext())),O&&r.__c&&y.getSnapshotBeforeUpdate&&(T=y.getSnapshotBeforeUpdate(C,w)),N=p&&p.type===b&&p.key==null?p.props.children:p,E.__P&&(p=c,a=(t=E.__P).namespaceURI,l=o=null,r.props&&r.props.__P!=t&&(r.__k.some(function(e){e&&re(e,e)}),r.__k=null),c=r.__k?S(r,0):null),c=D(t,m(N)?N:[N],n,r,i,a,o,s,c,l,d),E.__P&&(n.__e=null,c=p),n.__u&=-161,h&&h.some(_),y.__h.length&&s.push(y),1&y.__g&&(y.__g&=-4)}catch(t){if(s.length=v,n.__v=null,l||o){if(t&&t.then){if(n.__u|=128|l,o){for(~(I=o.indexOf(c||void 0))||(I=o.length);(L=o[I-1])&&L.nodeType==8;)I--;for(;I<o.length;I++)if(L=o[I]){if(o[I]=null,P){if(L==te)break}else{if(L.nodeType!=8)break;L.data.startsWith(`$s`)&&(te=F(P=L))}}}if(!P){for(;c&&c.nodeType==8&&c.nextSibling;)c=c.nextSibling;P=c}(p=F(P=n.__c.__z||(n.__c.__z=P)))?(n.__e=P,c=p):n.__e=c,c&&=c.nextSibling}else o&&o.some(_)}else n.__e=r.__e;n.__k||=r.__k||[],t&&t.then||ee(n),e.__e(t,n,r)}}else c=n.__e=ne(r.__e,n,r,i,a,o,s,l,d,t);return(p=e.diffed)&&p(n),c}function F(e,t){if(e&&e.nodeType==8&&e.data.startsWith(`$s`))for(var n=1;e=e.nextSibling;){if(e.nodeType==8){if(e.data.startsWith(`$s`))n++;else if(e.data.startsWith(`/$s`)&&!--n)return e}t&&t.push(e)}}function ee(e){e&&(e.__c&&(e.__c.__g|=4),e.__k&&e.__k.some(ee))}function te(t,n,r){for(var i=0;i<r.length;)I(r[i++],r[i++],r[i++]);e.__c&&e.__c(n,t),t.some(function(n){try{t=n.__h,n.__h=[],t.some(function(e){e.call(n)})}catch(t){e.__e(t,n.__v)}})}function ne(t,n,r,i,a,o,s,c,l,u){var f,g,v,y,b,x,C,w,T=r.props||d,E=n.props,O=n.type;if(O==`svg`?a=`http://www.w3.org/2000/svg`:O==`math`?a=`http://www.w3.org/1998/Math/MathML`:a||=`http://www.w3.org/1999/xhtml`,o){for(f=0;f<o.length;f++)if((b=o[f])&&(O?b.localName==O:b.nodeType==3)){t=b,o[f]=null;break}}if(!t){if(w=u.ownerDocument||document,!O)return w.createTextNode(E);t=w.createElementNS(a,O,E.is?E:u),c&&=(e.__m&&e.__m(n,o),!1),o=null}if(O){if(u=O==`template`&&t.content||t,o=O==`textarea`&&E.defaultValue!=null?null:o&&h.call(u.childNodes),!c&&o)for(T={},f=0;f<t.attributes.length;f++)T[(b=t.attributes[f]).name]=b.value;for(f in T)b=T[f],f==`dangerouslySetInnerHTML`?v=b:f==`children`||f in E||f==`value`&&`defaultValue`in E||f==`checked`&&`defaultChecked`in E||M(t,f,null,b,a);for(f in E)b=E[f],f==`children`?y=b:f==`dangerouslySetInnerHTML`?g=b:f==`value`?x=b:f==`checked`?C=b:c&&typeof b!=`function`||T[f]===b||M(t,f,b,T[f],a);g?(c||v&&(g.__html==v.__html||g.__html==t.innerHTML)||(t.innerHTML=g.__html),n.__k=[]):(v&&(t.textContent=``),(O==`foreignObject`||a==`http://www.w3.org/1998/Math/MathML`&&p.test(O))&&(a=`http://www.w3.org/1999/xhtml`),D(u,m(y)?y:[y],n,r,i,a,o,s,o?o[0]:r.__k&&S(r,0),c,l),o&&o.some(_)),c&&O!=`textarea`||(f=`value`,O==`progress`&&x==null?t.removeAttribute(f):x==null||x===t[f]&&(O!=`progress`||x)||M(t,f,x,T[f],a),f=`checked`,C!=null&&C!=t[f]&&M(t,f,C,T[f],a))}else T===E||c&&t.data==E||(t.data=E);return t}function I(t,n,r,i){try{typeof t==`function`?n?n.__x=t(n)||1:(i&&=i.__c||i.__e)&&(n=i.__x)&&(i.__x=null,typeof n==`function`?n():t(null)):t.current=n}catch(t){e.__e(t,r)}}function re(t,n,r){var i,a,o,s;if(e.unmount&&e.unmount(t),!(i=t.ref)||i.current&&i.current!=t.__e||I(i,null,n,t),i=t.__c){if(i.componentWillUnmount)try{i.componentWillUnmount()}catch(t){e.__e(t,n)}i.__P=i.__n=null}if(i=t.__k)for(s=0;s<i.length;s++)i[s]&&re(i[s],n,typeof t.type!=`function`||r&&!t.props.__P);!r&&(i=t.__c)&&(i=i.__z)&&(a=F(i,o=[]))&&(i==t.__e&&o.some(_),_(a),_(i)),r||_(t.__e),t.__e=t.__c=t.__=null}function ie(e,t,n){return this.constructor(e,n)}function L(t,n){var r,i,a,o;e.__&&e.__(t,n),n.nodeType==9&&(n=n.documentElement),i=(r=t&&32&t.__u)?null:n.__k,n.__k=y(b,{children:[t]}),a=[],o=[],P(n,n.__k,i||d,d,n.namespaceURI,i?null:n.firstChild?h.call(n.childNodes):null,a,i?i.__e:n.firstChild,r,o),te(a,n.__k,o),n.__k.props.children=null}e={__e:function(e,t,n,r){for(var a,o,s;t=t.__;)if((a=t.__c)&&!(1&a.__g)){a.__g|=4;try{if((s=(o=a.constructor)&&o.getDerivedStateFromError)&&a.setState(o.getDerivedStateFromError(e)),a.componentDidCatch&&(a.componentDidCatch(e,r||{}),s=1),s&&8&a.__g)return void(a.__g|=2)}catch(t){e=t}}throw i=0,e}},t=0,x.prototype.setState=function(e,t){var n=this.__s;n&&n!=this.state||(n=this.__s=g({},this.state)),typeof e==`function`&&(e=e(g({},n),this.props)),e&&(g(n,e),this.__v&&(t&&this.__k.push(t),T(this)))},x.prototype.forceUpdate=function(e){this.__v&&(this.__g|=4,e&&this.__h.push(e),T(this))},x.prototype.render=b,n=[],i=0,a=function(e,t){return e.__v.__b-t.__v.__b},o=Symbol(),s=/(PointerCapture)$|Capture$/i,c=0,l={};var R,z,ae,oe,se=Object.is,ce=0,le=[],ue=[],B=e,de=B.__b,fe=B.__r,pe=B.diffed,me=B.__c,he=B.unmount,ge=B.__;function _e(e,t){B.__h&&B.__h(z,e,ce||t),ce=0;var n=z.__H||(z.__H={__:[],__h:[]});return e>=n.__.length&&n.__.push({}),n.__[e]}function V(e){return ce=1,ve(Oe,e)}function ve(e,t,n){var r=_e(R++,2);if(r.t=e,!r.__c&&(r.__=[n?n(t):Oe(void 0,t),function(e){var t=(r.__N||r.__)[0],n=r.t(t,e);se(t,n)||(r.__N=[n,r.__[1]],r.__c.setState({}))}],r.__c=z,!z.__f)){z.__f=!0;var i=z.shouldComponentUpdate;z.shouldComponentUpdate=function(e,t,n){var r=this.__H;if(!r)return!0;var a=!1,o=this.props!=e;if(r.__.some(function(e){e.__N&&(a=!0,se(e.__[0],e.__N[0])||(o=!0))}),i){var s=i.call(this,e,t,n);return a?s||o:s}return!a||o}}return r.__}function H(e,t){var n=_e(R++,3);!B.__s&&De(n.__H,t)&&(n.__P=!0,n.__=e,n.u=t,z.__H.__h.push(n))}function ye(e){return ce=5,be(function(){return{current:e}},[])}function be(e,t){var n=_e(R++,7);return De(n.__H,t)&&(n.__=e(),n.__H=t),n.__}function xe(){var e;do{for(;e=ue.shift();)try{Te(e)}catch(t){B.__e(t,{__:(e=e.__P)&&e.__v})}for(;e=le.shift();){var t=e.__H;if(e.__P&&t)try{t.__h.some(Te),t.__h.some(Ee),t.__h=[]}catch(n){t.__h=[],B.__e(n,e.__v)}}}while(ue.length)}B.__b=function(e){z=null,de&&de(e)},B.__=function(e,t){e&&t.__k&&t.__k.__m&&(e.__m=t.__k.__m),ge&&ge(e,t)},B.__r=function(e){fe&&fe(e),R=0;var t=(z=e.__c).__H;t&&(ae==z?z.__h=[]:(t.__h.some(Te),t.__h.some(Ee),R=0),t.__h=[],t.__.some(function(e){e.__N&&(e.__=e.__N),e.u=e.__N=void 0})),ae=z},B.diffed=function(e){pe&&pe(e);var t=e.__c;t&&t.__H&&(t.__H.__h.length&&we(le.push(t)),t.__H.__.some(function(e){e.u&&(e.__H=e.u)})),ae=z=null},B.__c=function(e,t){t.some(function(e){try{e.__h.some(Te),e.__h=e.__h.filter(function(e){return!e.__||Ee(e)})}catch(t){e.__h=[function(){throw t}]}}),me&&me(e,t)},B.unmount=function(e){he&&he(e);var t,n,r=e.__c;r&&r.__H&&(r.__H.__.some(function(r){try{if(r.__P&&r.__c){if(n===void 0){for(n=e.__;n&&(!n.__c||!n.__c.__P);)n=n.__;n&&=n.__c}r.__P=n,we(ue.push(r))}else Te(r)}catch(e){t=e}}),r.__H=void 0,t&&B.__e(t,r.__v))};var Se=typeof requestAnimationFrame==`function`;function Ce(e){var t,n=function(){clearTimeout(r),Se&&cancelAnimationFrame(t),setTimeout(e)},r=setTimeout(n,35);Se&&(t=requestAnimationFrame(n))}function we(e){e!=1&&oe==B.requestAnimationFrame||((oe=B.requestAnimationFrame)||Ce)(xe)}function Te(e){var t=z,n=e.__c;typeof n==`function`&&(e.__c=void 0,n()),z=t}function Ee(e){var t=z;e.__c=e.__(),z=t}function De(e,t){return!e||e.length!=t.length||t.some(function(t,n){return!se(t,e[n])})}function Oe(e,t){return typeof t==`function`?t(e):t}var ke=function(e,t,n,r){var i;t[0]=0;for(var a=1;a<t.length;a++){var o=t[a++],s=t[a]?(t[0]|=o?1:2,n[t[a++]]):t[++a];o===3?r[0]=s:o===4?r[1]=Object.assign(r[1]||{},s):o===5?(r[1]=r[1]||{})[t[++a]]=s:o===6?r[1][t[++a]]+=s+``:o?(i=e.apply(s,ke(e,s,n,[``,null])),r.push(i),s[0]?t[0]|=2:(t[a-2]=0,t[a]=i)):r.push(s)}return r},Ae=new Map;function je(e){var t=Ae.get(this);return t||(t=new Map,Ae.set(this,t)),(t=ke(this,t.get(e)||(t.set(e,t=function(e){for(var t,n,r=1,i=``,a=``,o=[0],s=function(e){r===1&&(e||(i=i.replace(/^\s*\n\s*|\s*\n\s*$/g,``)))?o.push(0,e,i):r===3&&(e||i)?(o.push(3,e,i),r=2):r===2&&i===`...`&&e?o.push(4,e,0):r===2&&i&&!e?o.push(5,0,!0,i):r>=5&&((i||!e&&r===5)&&(o.push(r,0,i,n),r=6),e&&(o.push(r,e,0,n),r=6)),i=``},c=0;c<e.length;c++){c&&(r===1&&s(),s(c));for(var l=0;l<e[c].length;l++)t=e[c][l],r===1?t===`<`?(s(),o=[o],r=3):i+=t:r===4?i===`--`&&t===`>`?(r=1,i=``):i=t+i[0]:a?t===a?a=``:i+=t:t===`"`||t===`'`?a=t:t===`>`?(s(),r=1):r&&(t===`=`?(r=5,n=i,i=``):t===`/`&&(r<5||e[c][l+1]===`>`)?(s(),r===3&&(o=o[0]),r=o,(o=o[0]).push(2,0,r),r=0):t===` `||t===`	`||t===`
`||t===`\r`?(s(),r=2):i+=t),r===3&&i===`!--`&&(r=4,o=o[0])}return s(),o}(e)),t),arguments,[])).length>1?t:t[0]}var U=je.bind(v),Me=`datafactory.apiBase`,Ne=`datafactory.token`,Pe=`datafactory-settings`;function Fe(e){try{return window.localStorage.getItem(e)||``}catch{return``}}function Ie(e,t){try{t?window.localStorage.setItem(e,t):window.localStorage.removeItem(e)}catch{}}function Le(){return{base:Fe(Me),token:Fe(Ne)}}function Re({base:e,token:t}){Ie(Me,(e||``).trim().replace(/\/+$/,``)),Ie(Ne,(t||``).trim()),window.dispatchEvent(new Event(Pe))}function ze(e){let{base:t}=Le();return(t||``)+e}function Be(){let{token:e}=Le();return e?{Authorization:`Bearer ${e}`}:{}}var Ve=class extends Error{constructor(e,t,n){super(n),this.name=`ApiError`,this.status=e,this.code=t}};async function W(e,t,n){let r=ze(t),i={Accept:`application/json`,...Be()},a={method:e,headers:i};n!==void 0&&(i[`Content-Type`]=`application/json`,a.body=JSON.stringify(n));let o;try{o=await fetch(r,a)}catch(e){throw new Ve(0,`network`,`Cannot reach the API at ${r}: ${e.message}`)}let s=await o.text(),c=null;if(s)try{c=JSON.parse(s)}catch{c=null}if(!o.ok){let e=c&&c.error,t=e&&e.code||`http_${o.status}`,n=e&&e.message||s.trim().slice(0,300)||o.statusText||`HTTP ${o.status}`;throw new Ve(o.status,t,n)}if(c===null&&s)throw new Ve(o.status,`bad_json`,`The API answered ${e} ${t} with something that is not JSON`);return c}async function He(e){let t=await fetch(ze(e),{headers:Be()});if(!t.ok){let e=await t.text(),n=e.trim().slice(0,300)||t.statusText,r=`http_${t.status}`;try{let t=JSON.parse(e).error;t&&(n=t.message||n,r=t.code||r)}catch{}throw new Ve(t.status,r,n)}return t}var G=new Map,Ue=new Set;function We(){let e=[...G.values()];for(let t of Ue)t(e)}function K(e,t){let n=t&&typeof t.status==`number`?t.status:0,r=t&&t.code||`error`,i=t&&t.message||String(t);G.set(e,{source:e,status:n,code:r,message:i}),We()}function q(e){G.delete(e)&&We()}function Ge(){G.size&&(G.clear(),We())}function Ke(e){return Ue.add(e),e([...G.values()]),()=>Ue.delete(e)}var qe=1;function Je(){let[e,t]=V(window.location.hash);return H(()=>{let e=()=>t(window.location.hash);return window.addEventListener(`hashchange`,e),()=>window.removeEventListener(`hashchange`,e)},[]),e}function J(e,t,n){let[r,i]=V({data:null,error:null,loading:!0}),[a,o]=V(0),s=ye(null);s.current===null&&(s.current=`resource-${qe++}`);let c=ye(e);c.current=e;let l=ye(n);return l.current=n,H(()=>{let e=!0,t=null,n=async()=>{try{let r=await c.current();if(!e)return;q(s.current),i({data:r,error:null,loading:!1});let a=l.current?l.current(r):null;a&&(t=setTimeout(n,a))}catch(r){if(!e)return;K(s.current,r),i(e=>({...e,error:r,loading:!1}));let a=r&&r.status>=400&&r.status<500;l.current&&!a&&(t=setTimeout(n,5e3))}};return i(e=>({...e,loading:!0})),n(),()=>{e=!1,clearTimeout(t)}},[...t,a]),{...r,reload:()=>o(e=>e+1)}}var Ye=e=>String(e).padStart(2,`0`);function Xe(e){if(!e)return`—`;let t=new Date(e);return Number.isNaN(t.getTime())?String(e):`${t.getFullYear()}-${Ye(t.getMonth()+1)}-${Ye(t.getDate())} ${Ye(t.getHours())}:${Ye(t.getMinutes())}:${Ye(t.getSeconds())}`}function Y(e){if(e==null||e===``)return`—`;let t=Number(e);return Number.isFinite(t)?t.toLocaleString(`en-US`):String(e)}function Ze(e){if(e==null)return`—`;let t=Number(e);return Number.isFinite(t)?`$${t.toFixed(t!==0&&Math.abs(t)<.01?4:2)}`:String(e)}function X(e){if(e==null)return`—`;let t=Number(e);return Number.isFinite(t)?t.toFixed(2):String(e)}function Qe(e){if(e==null)return`—`;let t=Number(e);return Number.isFinite(t)?`${(t*100).toFixed(1)}%`:String(e)}function $e(e){if(e==null)return`n/a`;let t=Number(e);return Number.isFinite(t)?t.toFixed(2):String(e)}function et(e,t){let n=String(e||``).replace(/\s+/g,` `).trim();return n.length>t?`${n.slice(0,t-1)}…`:n}function tt(e,t){return`${Y(e)} ${t}${Number(e)===1?``:`s`}`}function nt({status:e}){let t=e||`unknown`;return U`<span class=${`badge status-${t}`} data-testid="status-badge" data-status=${t}>${t}</span>`}function rt({value:e,label:t,testid:n}){let r=Math.max(0,Math.min(1,Number(e)||0))*100;return U`<div
    class="progress"
    role="progressbar"
    aria-valuemin="0"
    aria-valuemax="100"
    aria-valuenow=${Math.round(r)}
    title=${t||`${Math.round(r)}%`}
    data-testid=${n}
  >
    <div class="progress-fill" style=${{width:`${r}%`}}></div>
  </div>`}function it(){let[e,t]=V([]);return H(()=>Ke(t),[]),e.length?U`<div class="error-banner" role="alert" data-testid="error-banner">
    ${e.map(e=>U`<div class="error-line" key=${e.source}>
        ${e.status===401?U`<strong>Not authorized (401):</strong> ${e.message}. Set an API token in${` `}
              <a href="#/settings" data-testid="error-settings-link">Settings</a>.`:U`<strong>${e.status?`Error ${e.status}`:`Error`}${e.code?` (${e.code})`:``}:</strong>${` `}
              ${e.message}`}
      </div>`)}
  </div>`:null}function at({id:e,active:t}){let n=encodeURIComponent(e);return U`<nav class="tabs" data-testid="job-tabs">
    ${[[`detail`,`Overview`,`#/jobs/${n}`],[`quality`,`Quality`,`#/jobs/${n}/quality`],[`review`,`Review`,`#/jobs/${n}/review`],[`exports`,`Exports`,`#/jobs/${n}/exports`]].map(([e,n,r])=>U`<a key=${e} href=${r} class=${e===t?`tab active`:`tab`} data-testid=${`tab-${e}`}
          >${n}</a
        >`)}
  </nav>`}function ot({id:e,children:t}){return U`<div class="page-head">
    <h1>Job <code class="job-id" data-testid="job-id">${e}</code></h1>
    ${t}
  </div>`}function st({name:e,bins:t,mean:n}){let r=Array.isArray(t)?t.map(e=>Number(e)||0):[],i=Math.max(1,...r),a=r.reduce((e,t)=>e+t,0),o=r.length?1/r.length:.1;return U`<figure class="histogram" data-testid="histogram" data-check=${e}>
    <figcaption>
      <span class="hist-name">${e}</span>
      ${n==null?null:U`<span class="muted">mean ${X(n)}</span>`}
    </figcaption>
    <div class="hist-bars">
      ${r.map((e,t)=>U`<div class="hist-col" key=${t} title=${`${(t*o).toFixed(1)}–${((t+1)*o).toFixed(1)}: ${e}`}>
          <div class="hist-bar" style=${{height:`${e/i*100}%`}} data-count=${e}></div>
        </div>`)}
    </div>
    <div class="hist-axis"><span>0</span><span>0.5</span><span>1</span></div>
    <div class="muted small">${Y(a)} examples</div>
  </figure>`}function ct({items:e,empty:t,testid:n}){let r=Object.entries(e||{}).map(([e,t])=>[e,Number(t)||0]).sort((e,t)=>t[1]-e[1]||e[0].localeCompare(t[0]));if(!r.length)return U`<p class="muted small">${t||`none`}</p>`;let i=Math.max(1,...r.map(e=>e[1]));return U`<ul class="barlist" data-testid=${n}>
    ${r.map(([e,t])=>U`<li key=${e}>
        <span class="barlist-label" title=${e}>${e}</span>
        <span class="barlist-track"><span class="barlist-bar" style=${{width:`${t/i*100}%`}}></span></span>
        <span class="barlist-count">${Y(t)}</span>
      </li>`)}
  </ul>`}function lt({items:e,testid:t}){let n=Object.entries(e||{});return n.length?U`<dl class="kv" data-testid=${t}>
    ${n.map(([e,t])=>U`<div class="kv-row" key=${e}>
        <dt>${e}</dt>
        <dd>${typeof t==`number`?Y(t):String(t)}</dd>
      </div>`)}
  </dl>`:U`<p class="muted small">no counters yet</p>`}function Z({what:e}){return U`<p class="muted loading">Loading ${e||``}…</p>`}function ut(e){window.location.hash=e}function dt({refused:e}){return!e||!e.length?null:U`<ul class="refused" data-testid="refused-list">
    ${e.map((e,t)=>{let n=Object.entries(e||{}).filter(([e])=>e!==`line`&&e!==`reason`);return U`<li key=${t}>
        ${e&&e.line!==void 0?U`<span class="mono">line ${e.line}</span>: `:null}
        <span>${e&&e.reason||JSON.stringify(e)}</span>
        ${n.map(([e,t])=>U` <span class="muted small mono">${e}=${typeof t==`string`?t:JSON.stringify(t)}</span>`)}
      </li>`})}
  </ul>`}var ft=[{key:`spider`,name:`Spider`,what:`fetches pages`,in:[`urls`,`URLs`],out:[`fetched`,`pages fetched`]},{key:`refiner`,name:`Refiner`,what:`cleans, dedups, chunks`,in:[`pages`,`pages`],out:[`chunks`,`chunks`]},{key:`factory`,name:`Factory`,what:`generates examples`,in:[`chunks`,`chunks`],out:[`examples`,`examples`]},{key:`inspector`,name:`Inspector`,what:`scores examples`,in:[`examples`,`examples`],out:[`passed`,`passed`]},{key:`shipper`,name:`Shipper`,what:`writes the export`,in:null,out:[`records`,`records`]}];function pt(e,t){return e===`shipper`?Math.min(1,t||0)||1:t||0}function mt(e){if(!e)return 0;if(e.status===`completed`)return 1;let t=e.progress||{},n=t.shards_total??e.shards??0,r=t.shards_done||{},i=0,a=0;for(let e of ft){let t=pt(e.key,n);a+=t,i+=Math.min(Number(r[e.key])||0,t)}return a?i/a:0}var ht=e=>e===`running`||e===`pending`,gt=50;function _t({job:e}){let t=e.totals||{},n=mt(e),r=`#/jobs/${encodeURIComponent(e.id)}`;return U`<tr data-testid="job-row" data-job-id=${e.id} data-status=${e.status}>
    <td><a href=${r} class="mono" data-testid="job-link">${e.id}</a></td>
    <td><${nt} status=${e.status} /></td>
    <td class="nowrap">${Xe(e.created_at)}</td>
    <td class="num">${Y(e.urls)}</td>
    <td class="num">${Y(t.pages_fetched)}</td>
    <td class="num">${Y(t.examples)}</td>
    <td class="num">${Y(t.exported)}</td>
    <td class="num">${Ze(t.cost_usd)}</td>
    <td class="progress-cell">
      <${rt} value=${n} label=${`${Math.round(n*100)}% of shards done`} />
      <span class="small muted">${Math.round(n*100)}%</span>
    </td>
  </tr>`}function vt(){let e=J(()=>W(`GET`,`/jobs?limit=${gt}`),[],e=>(e.jobs||[]).some(e=>ht(e.status))?2e3:null),[t,n]=V({jobs:[],cursor:void 0,loading:!1}),r=t.cursor===void 0?e.data&&e.data.next_cursor:t.cursor,i=async()=>{if(r){n(e=>({...e,loading:!0}));try{let e=await W(`GET`,`/jobs?limit=${gt}&cursor=${encodeURIComponent(r)}`);q(`jobs-more`),n(t=>({jobs:[...t.jobs,...e.jobs||[]],cursor:e.next_cursor||null,loading:!1}))}catch(e){K(`jobs-more`,e),n(e=>({...e,loading:!1}))}}},a=new Set,o=[...e.data&&e.data.jobs||[],...t.jobs].filter(e=>!a.has(e.id)&&a.add(e.id));return U`<section data-testid="jobs-page">
    <div class="page-head">
      <h1>Jobs</h1>
      <div class="actions">
        ${o.some(e=>ht(e.status))?U`<span class="muted small live">refreshing every 2 s</span>`:null}
        <button type="button" class="secondary" onClick=${e.reload} data-testid="jobs-refresh">Refresh</button>
        <a class="button" href="#/new" data-testid="new-job-link">New job</a>
      </div>
    </div>
    ${e.loading&&!e.data?U`<${Z} what="jobs" />`:o.length===0&&e.data?U`<div class="card empty" data-testid="jobs-empty">
            No jobs yet. <a href="#/new">Start one</a> from a list of URLs.
          </div>`:o.length?U`<div class="table-wrap">
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
                  ${o.map(e=>U`<${_t} key=${e.id} job=${e} />`)}
                </tbody>
              </table>
            </div>`:null}
    ${r?U`<p>
          <button type="button" class="secondary" onClick=${i} disabled=${t.loading} data-testid="jobs-more">
            ${t.loading?`Loading…`:`Older jobs`}
          </button>
        </p>`:null}
  </section>`}var yt=new Map;function bt(e,t){yt.set(e,t)}function xt(e){let t=yt.get(e);return yt.delete(e),t||null}var St=[`completed`,`failed`],Ct=e=>!!e&&((Number(e.shards_done)||0)>0||Object.keys(e.counters||{}).length>0);function wt(e,t,n,r){if(!Ct(t))return n.status===`completed`?`skipped`:n.status===`failed`?`failed`:`waiting`;let i=Number(t.shards_done)||0;return r&&i>=r?`done`:n.status===`failed`?`failed`:n.status===`completed`?`done`:`running`}function Tt({stage:e,data:t,job:n,total:r}){let i=wt(e,t,n,r),a=t&&t.counters||{},o=t&&Number(t.shards_done)||0,s=e=>e in a?Y(a[e]):`—`;return U`<div class=${`stage-box stage-${i}`} data-testid=${`stage-${e.key}`} data-state=${i}>
    <div class="stage-name">${e.name}</div>
    <div class="stage-what muted small">${e.what}</div>
    <div class="stage-shards">
      <span data-testid=${`stage-${e.key}-shards`}>${Y(o)} / ${Y(r)}</span>
      <span class="muted small"> shards</span>
    </div>
    <${rt} value=${r?o/r:0} />
    <div class="stage-io small">
      ${e.in?U`<span title="in">${s(e.in[0])} ${e.in[1]}</span><span class="io-arrow">→</span>`:null}
      <span title="out">${s(e.out[0])} ${e.out[1]}</span>
    </div>
    <div class="stage-state small">${i}</div>
  </div>`}function Et({samples:e}){return!e||!e.length?U`<p class="muted small">no errors</p>`:U`<ul class="samples">
    ${e.map((e,t)=>U`<li key=${t}>
        <code class="sample-id" title=${e.id}>${et(e.id||e.url||`?`,90)}</code>
        <span class="sample-reason">${e.reason}</span>
        ${e.detail?U`<span class="muted small sample-detail" title=${e.detail}>${et(e.detail,200)}</span>`:null}
      </li>`)}
  </ul>`}function Dt({stage:e,data:t,job:n}){let r=t&&(t.drop_reasons||t.reasons)||{},i=t&&(t.error_samples||t.samples)||[];return U`<div class="card stage-detail" data-testid=${`stage-detail-${e.key}`}>
    <h3>${e.name}</h3>
    ${Ct(t)?U`<div class="stage-detail-grid">
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
        </div>`:U`<p class="muted small">${n.status===`completed`?`nothing to do for this job`:`waiting: no shard done yet`}</p>`}
  </div>`}function Ot({info:e}){let[t,n]=V(!0);if(!e||!t)return null;let r=e.refused||[];return U`<div class="notice" data-testid="submitted-notice">
    <button type="button" class="close" onClick=${()=>n(!1)} aria-label="dismiss">×</button>
    ${e.existing?U`<p>An identical job already existed: showing it instead of starting another.</p>`:U`<p>Job submitted: ${Y(e.urls)} URLs in ${Y(e.shards)} shards.</p>`}
    ${e.lines_refused||r.length?U`<p>${tt(e.lines_refused??r.length,`line`)} refused${r.length?`:`:`.`}</p>
          <${dt} refused=${r} />`:null}
  </div>`}function kt({id:e}){let[t]=V(()=>xt(e)),n=J(()=>W(`GET`,`/jobs/${encodeURIComponent(e)}`),[e],e=>e&&e.job&&St.includes(e.job.status)?null:1e3),r=n.data;if(!r)return U`<section data-testid="job-page">
      <${ot} id=${e} />
      <${at} id=${e} active="detail" />
      ${n.loading?U`<${Z} what="job" />`:null}
    </section>`;let i=r.job||{},a=r.stages||{},o=(i.progress&&i.progress.shards_total)??i.shards??0,s=i.totals||{},c=a.input,l=mt(i);return U`<section data-testid="job-page" data-status=${i.status}>
    <${ot} id=${e}>
      <div class="actions">
        <${nt} status=${i.status} />
        ${ht(i.status)?U`<span class="muted small live">live</span>`:null}
      </div>
    <//>
    <${at} id=${e} active="detail" />
    <${Ot} info=${t} />
    <div class="card job-header" data-testid="job-header">
      <dl class="facts">
        <div><dt>Status</dt><dd data-testid="job-status">${i.status}</dd></div>
        <div><dt>Input</dt><dd class="mono wrap" data-testid="job-input">${i.input||`—`}</dd></div>
        <div><dt>Created</dt><dd>${Xe(i.created_at)}</dd></div>
        <div><dt>Updated</dt><dd>${Xe(i.updated_at)}</dd></div>
        <div><dt>URLs / shards</dt><dd>${Y(i.urls)} / ${Y(i.shards)}</dd></div>
        <div><dt>Examples</dt><dd>${Y(s.examples)} (${Y(s.passed)} passed)</dd></div>
        <div><dt>Exported</dt><dd>${Y(s.exported)}</dd></div>
        <div>
          <dt>Cost</dt>
          <dd>${Ze(r.cost_usd&&r.cost_usd.llm!==void 0?r.cost_usd.llm:s.cost_usd)}</dd>
        </div>
        <div><dt>Export</dt><dd class="mono wrap" data-testid="job-export">${i.export||`—`}</dd></div>
        ${i.message?U`<div class="wide"><dt>Message</dt><dd data-testid="job-message">${i.message}</dd></div>`:null}
      </dl>
      <div class="job-progress">
        <${rt} value=${l} testid="job-progress" />
        <span class="small muted">${Math.round(l*100)}% of shards done</span>
      </div>
      ${c&&c.counters&&(c.counters.lines_refused||c.counters.duplicate_urls)?U`<p class="small muted">
            ${`Input: ${Y(c.counters.urls)} URLs, ${tt(c.counters.lines_refused||0,`line`)} refused, ${tt(c.counters.duplicate_urls||0,`duplicate`)}.`}
          </p>`:null}
    </div>

    <h2>Pipeline</h2>
    <div class="pipeline" data-testid="pipeline">
      ${ft.map((e,t)=>U`
          ${t>0?U`<div class="pipeline-arrow" aria-hidden="true">→</div>`:null}
          <${Tt} key=${e.key} stage=${e} data=${a[e.key]} job=${i} total=${pt(e.key,o)} />
        `)}
    </div>

    <div class="stage-details">
      ${ft.map(e=>U`<${Dt} key=${e.key} stage=${e} data=${a[e.key]} job=${i} />`)}
    </div>

    ${r.config?U`<details class="card">
          <summary>Configuration</summary>
          <pre class="json">${JSON.stringify(r.config,null,2)}</pre>
        </details>`:null}
  </section>`}function At(e){return[...e].sort((e,t)=>e===`total`?-1:t===`total`?1:e.localeCompare(t))}function Q({label:e,value:t,testid:n,hint:r}){return U`<div class="stat" data-testid=${n} title=${r}>
    <div class="stat-value">${t}</div>
    <div class="stat-label">${e}</div>
  </div>`}function jt({jobId:e,examples:t}){return!t||!t.length?U`<p class="muted">No inspected examples.</p>`:U`<ol class="worst" data-testid="worst-list">
    ${t.map(t=>U`<li key=${t.id}>
        <a
          href=${`#/jobs/${encodeURIComponent(e)}/review?focus=${encodeURIComponent(t.id)}`}
          data-testid="worst-example"
          data-example-id=${t.id}
        >
          <span class=${`score-pill ${t.passed?`pass`:`fail`}`}>${X(t.score)}</span>
          <span class="worst-text">${et(t.instruction,140)||`(no instruction)`}</span>
        </a>
        ${t.notes&&t.notes.length?U`<div class="muted small">${et(t.notes.join(`; `),200)}</div>`:null}
      </li>`)}
  </ol>`}function Mt({ratings:e}){let t=Array.from({length:10},(t,n)=>Number((e||[])[n])||0),n=Math.max(1,...t);return U`<figure class="histogram ratings" data-testid="ratings-histogram">
    <figcaption><span class="hist-name">ratings</span></figcaption>
    <div class="hist-bars">
      ${t.map((e,t)=>U`<div class="hist-col" key=${t} title=${`rating ${t+1}: ${e}`}>
          <div class="hist-bar" style=${{height:`${e/n*100}%`}} data-count=${e}></div>
        </div>`)}
    </div>
    <div class="hist-axis ten">${t.map((e,t)=>U`<span key=${t}>${t+1}</span>`)}</div>
  </figure>`}function Nt({stats:e}){let t=e.agreement||{};return U`<div class="card" data-testid="review-stats">
    <h2>Human review</h2>
    <div class="review-stats-grid">
      <div class="stats-row">
        <${Q} label="reviewed" value=${`${Y(e.reviewed)} / ${Y(e.examples)}`} testid="stat-reviewed" />
        <${Q} label="unreviewed" value=${Y(e.unreviewed)} />
        <${Q} label="rated" value=${Y(e.rated)} />
        <${Q} label="approved" value=${Y(e.approved)} testid="stat-approved" />
        <${Q} label="rejected" value=${Y(e.rejected)} testid="stat-rejected" />
        <${Q} label="rewritten" value=${Y(e.rewritten)} testid="stat-rewritten" />
      </div>
      <${Mt} ratings=${e.ratings} />
      <div>
        <h4>Agreement</h4>
        <dl class="kv" data-testid="agreement">
          <div class="kv-row"><dt>pairs</dt><dd>${Y(t.pairs)}</dd></div>
          <div class="kv-row"><dt>Pearson</dt><dd>${$e(t.pearson)}</dd></div>
          <div class="kv-row"><dt>Spearman</dt><dd>${$e(t.spearman)}</dd></div>
          <div class="kv-row"><dt>decision agreement</dt><dd>${$e(t.decision_agreement)}</dd></div>
        </dl>
      </div>
    </div>
  </div>`}function Pt({id:e}){let t=encodeURIComponent(e),n=J(()=>W(`GET`,`/jobs/${t}/quality`),[e]),r=J(()=>W(`GET`,`/jobs/${t}/reviews/stats`),[e]),i=n.data,a=i&&i.means||{},o=i&&i.histograms||{};return U`<section data-testid="quality-page">
    <${ot} id=${e}>
      <div class="actions"><button type="button" class="secondary" onClick=${()=>{n.reload(),r.reload()}} data-testid="quality-refresh">Refresh</button></div>
    <//>
    <${at} id=${e} active="quality" />
    ${i?U`
          <div class="card">
            <div class="stats-row">
              <${Q} label="pass rate" value=${Qe(i.pass_rate)} testid="pass-rate" />
              <${Q} label="inspected" value=${Y(i.inspected)} testid="inspected" />
              <${Q} label="passed" value=${Y(i.passed)} testid="passed" />
              <${Q} label="threshold" value=${X(i.threshold)} testid="threshold" hint="an example passes when its score is at least this and no check failed hard" />
            </div>
          </div>
          <h2>Score histograms</h2>
          ${Object.keys(o).length?U`<div class="histograms" data-testid="histograms">
                ${At(Object.keys(o)).map(e=>U`<${st} key=${e} name=${e} bins=${o[e]} mean=${a[e]} />`)}
              </div>`:U`<p class="muted">No histograms: nothing inspected yet.</p>`}
          ${Object.keys(a).length?U`<div class="card">
                <h4>Means</h4>
                <dl class="kv kv-inline" data-testid="means">
                  ${At(Object.keys(a)).map(e=>U`<div class="kv-row" key=${e}><dt>${e}</dt><dd>${X(a[e])}</dd></div>`)}
                </dl>
              </div>`:null}
          <h2>Worst examples</h2>
          <div class="card"><${jt} jobId=${e} examples=${i.worst} /></div>
        `:n.loading?U`<${Z} what="quality" />`:null}
    ${r.data?U`<${Nt} stats=${r.data} />`:null}
  </section>`}var $=50,Ft=[[`all`,`All`],[`unreviewed`,`Unreviewed`],[`unrated`,`Unrated`],[`below`,`Below threshold`],[`failed`,`Failed a check`],[`approved`,`Approved`],[`rejected`,`Rejected`],[`rewritten`,`Rewritten`]],It=[[`score`,`Score ascending`],[`-score`,`Score descending`],[`rating`,`Rating ascending`],[`-rating`,`Rating descending`]],Lt=`Keys: 1–9 rate, 0 rate 10, a approve, r reject, u clear decision, e edit the response (Ctrl+Enter saves, Esc cancels), j or ↓ next, k or ↑ previous.`;function Rt(e){if(!e)return!1;let t=e.tagName;return t===`INPUT`||t===`TEXTAREA`||t===`SELECT`||e.isContentEditable}var zt=e=>/^https?:\/\//i.test(e||``)?e:null;function Bt({ex:e,focused:t,onClick:n}){let r=e.review||{};return U`<li
    class=${`review-item${t?` focused`:``}`}
    data-testid="review-item"
    data-example-id=${e.id}
    data-focused=${t?`true`:`false`}
    onClick=${n}
  >
    <div class="review-item-head">
      <span class=${`score-pill ${e.passed?`pass`:`fail`}`}>${X(e.score)}</span>
      ${r.rating?U`<span class="tag rating">★ ${r.rating}</span>`:null}
      ${r.decision?U`<span class=${`tag decision-${r.decision}`}>${r.decision}</span>`:null}
      ${r.rewrite!==null&&r.rewrite!==void 0?U`<span class="tag rewritten">rewritten</span>`:null}
    </div>
    <div class="review-item-text">${et(e.instruction,110)||`(no instruction)`}</div>
  </li>`}function Vt({title:e,text:t,testid:n,cls:r}){return U`<div class=${`block ${r||``}`}>
    <div class="block-title">${e}</div>
    <div class="block-text" data-testid=${n}>${t}</div>
  </div>`}function Ht({scores:e}){let t=Object.entries(e||{}).sort((e,t)=>e[0].localeCompare(t[0]));return t.length?U`<ul class="scorebars" data-testid="review-scores">
    ${t.map(([e,t])=>U`<li key=${e}>
        <span class="barlist-label">${e}</span>
        <span class="barlist-track"
          ><span class=${`barlist-bar ${Number(t)<.5?`low`:``}`} style=${{width:`${Math.max(0,Math.min(1,Number(t)||0))*100}%`}}></span
        ></span>
        <span class="barlist-count">${X(t)}</span>
      </li>`)}
  </ul>`:null}function Ut({ex:e,position:t,pending:n,editing:r,draft:i,setDraft:a,actions:o}){let s=ye(null);if(H(()=>{r&&s.current&&(s.current.focus(),s.current.setSelectionRange(0,0))},[r,e&&e.id]),!e)return U`<div class="card focus-panel empty" data-testid="review-focus-empty">No example selected.</div>`;let c=e.review||{},l=c.rewrite!==null&&c.rewrite!==void 0,u=zt(e.url);return U`<div
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
      <span class=${`score-pill ${e.passed?`pass`:`fail`}`} title="score">${X(e.score)}</span>
      <span class=${`tag ${e.passed?`pass`:`fail`}`}>${e.passed?`passed`:`not passed`}</span>
      ${e.task?U`<span class="tag">${e.task}</span>`:null}
      ${e.language?U`<span class="tag">${e.language}</span>`:null}
      <span class="muted small">${t}</span>
      ${n?U`<span class="muted small saving">saving…</span>`:null}
    </div>
    <div class="muted small mono example-id" data-testid="review-example-id">${e.id}</div>
    <div class="source-line small">
      ${u?U`<a href=${u} target="_blank" rel="noopener noreferrer" data-testid="review-url">${e.title||e.url}</a>`:U`<span>${e.title||e.url||``}</span>`}
      ${e.title&&e.url?U` <span class="muted mono">${et(e.url,80)}</span>`:null}
    </div>

    <${Vt} title="Instruction" text=${e.instruction} testid="review-instruction" />
    ${e.input?U`<${Vt} title="Input" text=${e.input} testid="review-input" />`:null}
    ${r?U`<div class="block editing">
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
        </div>`:l?U`
            <${Vt} title="Response (rewritten)" text=${c.rewrite} testid="review-response" cls="rewritten" />
            <${Vt} title="Original response" text=${e.response} testid="review-original" cls="original" />
          `:U`<${Vt} title="Response" text=${e.response} testid="review-response" />`}
    ${e.label!==null&&e.label!==void 0&&e.label!==``?U`<div class="label-line">Label: <strong data-testid="review-label">${e.label}</strong></div>`:null}

    <div class="review-controls">
      <div class="control-group" role="group" aria-label="rating">
        <span class="control-label">Rating</span>
        ${Array.from({length:10},(e,t)=>t+1).map(e=>U`<button
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
        ${r?null:U`<button type="button" class="secondary" onClick=${o.edit} data-testid="rewrite-button">Rewrite</button>`}
        ${l?U`<button type="button" class="secondary" onClick=${o.revert} data-testid="rewrite-revert">Revert rewrite</button>`:null}
      </div>
    </div>

    <div class="current-review small" data-testid="review-current">
      ${e.review?U`Review: rating <strong>${c.rating??`—`}</strong>, decision <strong>${c.decision??`—`}</strong>${`, `}
            ${[l?`rewritten`:`not rewritten`,c.reviewer?`by ${c.reviewer}`:``,c.updated_at?Xe(c.updated_at):``].filter(Boolean).join(`, `)}`:U`<span class="muted">Not reviewed yet.</span>`}
    </div>

    <h4>Checks</h4>
    <${Ht} scores=${e.scores} />
    ${e.notes&&e.notes.length?U`<ul class="notes" data-testid="review-notes">
          ${e.notes.map((e,t)=>U`<li key=${t}>${e}</li>`)}
        </ul>`:null}
    ${e.source?U`<details class="source">
          <summary>Source chunk</summary>
          <div class="block-text">${e.source}</div>
        </details>`:null}
  </div>`}function Wt({id:e,focus:t}){let n=encodeURIComponent(e),[r,i]=V(`all`),[a,o]=V(`score`),[s,c]=V(0),[l,u]=V(t||null),[d,f]=V(t?null:`first`),[p,m]=V({}),[h,g]=V({}),[_,v]=V(!1),[y,b]=V(``),[x,S]=V(0),C=ye(Promise.resolve()),w=`filter=${r}&sort=${encodeURIComponent(a)}&limit=${$}&offset=${s}`,T=J(()=>W(`GET`,`/jobs/${n}/examples?${w}`).then(e=>({...e,query:w})),[e,w]),E=!!T.data&&T.data.query===w,D=(T.data&&T.data.examples||[]).map(e=>p[e.id]||e),O=T.data&&T.data.total||0;H(()=>{t&&(u(t),f(null))},[t]),H(()=>{if(!E||!d)return;let e=T.data.examples||[];e.length&&u(d===`last`?e[e.length-1].id:e[0].id),f(null)},[T.data,d,E]),H(()=>{if(!l||h[l])return;let e=!0;return W(`GET`,`/jobs/${n}/examples/${encodeURIComponent(l)}`).then(t=>{e&&(q(`review-detail`),g(e=>({...e,[l]:t})))}).catch(t=>e&&K(`review-detail`,t)),()=>{e=!1}},[l]),H(()=>{if(!l)return;let e=document.querySelector(`[data-testid="review-item"][data-example-id="${CSS.escape(l)}"]`);e&&e.scrollIntoView({block:`nearest`})},[l,T.data]);let k=l?h[l]:null,A=l?D.find(e=>e.id===l):null,j=l&&p[l]||A||k,M=j?{...j,source:j.source||k&&k.source}:null,N=l?D.findIndex(e=>e.id===l):-1,P=N>=0?`${Y(s+N+1)} of ${Y(O)}`:M?`not in this list`:``,F=(e,t)=>{S(e=>e+1),C.current=C.current.then(()=>W(`PUT`,`/jobs/${n}/examples/${encodeURIComponent(e)}/review`,t)).then(e=>{q(`review-action`),e&&e.id&&m(t=>({...t,[e.id]:e}))}).catch(e=>K(`review-action`,e)).finally(()=>S(e=>e-1))},ee=e=>{if(v(!1),!E||!D.length)return;if(N<0){u(D[0].id);return}let t=N+e;t>=0&&t<D.length?u(D[t].id):t>=D.length&&s+$<O?(f(`first`),c(s+$)):t<0&&s>0&&(f(`last`),c(Math.max(0,s-$)))},te=e=>{let t=e.review||{};return t.rewrite!==null&&t.rewrite!==void 0?t.rewrite:e.response},ne={rate:e=>M&&F(M.id,{rating:e}),decide:e=>M&&F(M.id,{decision:e}),edit:()=>{M&&(b(te(M)||``),v(!0))},cancelEdit:()=>v(!1),saveRewrite:()=>{M&&(F(M.id,{rewrite:y}),v(!1))},revert:()=>M&&F(M.id,{rewrite:null}),next:()=>ee(1),prev:()=>ee(-1)},I=ye(null);return I.current={actions:ne,editing:_},H(()=>{let e=e=>{if(e.defaultPrevented||e.ctrlKey||e.metaKey||e.altKey||Rt(e.target))return;let{actions:t,editing:n}=I.current;if(n)return;let r=e.key,i=!0;r>=`1`&&r<=`9`&&r.length===1?t.rate(Number(r)):r===`0`?t.rate(10):r===`a`?t.decide(`approved`):r===`r`?t.decide(`rejected`):r===`u`?t.decide(null):r===`e`?t.edit():r===`j`||r===`ArrowDown`?t.next():r===`k`||r===`ArrowUp`?t.prev():i=!1,i&&e.preventDefault()};return window.addEventListener(`keydown`,e),()=>window.removeEventListener(`keydown`,e)},[]),U`<section data-testid="review-page">
    <${ot} id=${e} />
    <${at} id=${e} active="review" />
    <div class="toolbar">
      <label>Show
        <select value=${r} onChange=${e=>{i(e.currentTarget.value),c(0),f(`first`),e.currentTarget.blur()}} data-testid="review-filter">
          ${Ft.map(([e,t])=>U`<option key=${e} value=${e}>${t}</option>`)}
        </select>
      </label>
      <label>Sort
        <select value=${a} onChange=${e=>{o(e.currentTarget.value),c(0),f(`first`),e.currentTarget.blur()}} data-testid="review-sort">
          ${It.map(([e,t])=>U`<option key=${e} value=${e}>${t}</option>`)}
        </select>
      </label>
      <span class="muted small" data-testid="review-total">
        ${T.data?O?`${Y(s+1)}–${Y(Math.min(s+$,O))} of ${Y(O)}`:`no examples`:``}
      </span>
      <button type="button" class="secondary" disabled=${s===0} onClick=${()=>{c(Math.max(0,s-$)),f(`first`)}} data-testid="review-prev-page">
        ← Previous ${$}
      </button>
      <button type="button" class="secondary" disabled=${s+$>=O} onClick=${()=>{c(s+$),f(`first`)}} data-testid="review-next-page">
        Next ${$} →
      </button>
    </div>
    <p class="help small" data-testid="review-help">${Lt}</p>
    <div class="review-layout">
      <div class="review-list-wrap">
        ${T.loading&&!T.data?U`<${Z} what="examples" />`:null}
        ${T.data&&!D.length?U`<p class="muted">No examples match.</p>`:null}
        <ul class="review-list" data-testid="review-list">
          ${D.map(e=>U`<${Bt}
              key=${e.id}
              ex=${e}
              focused=${e.id===l}
              onClick=${()=>{v(!1),u(e.id)}}
            />`)}
        </ul>
      </div>
      <${Ut}
        ex=${M}
        position=${P}
        pending=${x}
        editing=${_}
        draft=${y}
        setDraft=${b}
        actions=${ne}
      />
    </div>
  </section>`}var Gt=(function(){let e=typeof document<`u`&&document.createElement(`link`).relList;return e&&e.supports&&e.supports(`modulepreload`)?`modulepreload`:`preload`})(),Kt=function(e){return`/`+e},qt={},Jt=function(e){return e.pathname.endsWith(`.css`)},Yt=function(e,t,n){if(t in e)return e[t];let r=n();if(!r){e[t]=void 0;return}let i=r.then(()=>{e[t]=void 0},n=>{throw e[t]=void 0,n});return e[t]=i,i},Xt=function(e,t,n){let r=Promise.resolve();if(t&&t.length>0){let e,i=document.querySelector(`meta[property=csp-nonce]`),a=i?.nonce||i?.getAttribute(`nonce`);function o(e){return Promise.all(e.map(e=>Promise.resolve(e).then(e=>({status:`fulfilled`,value:e}),e=>({status:`rejected`,reason:e}))))}function s(e){return import.meta.resolve?new URL(import.meta.resolve(e)):new URL(e,import.meta.url)}r=o(t.map(t=>{t=Kt(t,n);let r=s(t),i=Jt(r);return Yt(qt,r.href,()=>{if(e===void 0){e={all:new Set,styles:new Set};let t=document.getElementsByTagName(`link`);for(let n=t.length-1;n>=0;n--){let r=t[n];e.all.add(r.href),r.rel===`stylesheet`&&e.styles.add(r.href)}}if((i?e.styles:e.all).has(r.href))return;let t=document.createElement(`link`);if(t.rel=i?`stylesheet`:Gt,i||(t.as=`script`),t.crossOrigin=``,t.href=r.href,a&&t.setAttribute(`nonce`,a),document.head.appendChild(t),i)return new Promise((e,n)=>{let i=a=>{t.removeEventListener(`load`,i),t.removeEventListener(`error`,i),a.type===`error`?n(Error(`Unable to preload CSS for ${r}`)):e(a)};t.addEventListener(`load`,i),t.addEventListener(`error`,i)})})}).filter(e=>e!==void 0))}function i(e){let t=new Event(`vite:preloadError`,{cancelable:!0});if(t.payload=e,window.dispatchEvent(t),!t.defaultPrevented)throw e}return r.then(t=>{for(let e of t||[])e.status===`rejected`&&i(e.reason);return e().catch(i)})},Zt=[`openai`,`sharegpt`,`alpaca`],Qt=e=>String(e||``).split(`/`).pop()||`download`;function $t(e){let t=/^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(e||``);return t?{front:t[1],body:e.slice(t[0].length)}:{front:null,body:e||``}}var en=null;async function tn(e){if(!en){let{default:e}=await Xt(async()=>{let{default:e}=await import(`./markdown-it-DjB7RcUx.js`);return{default:e}},[]);en=new e({html:!1,linkify:!1,typographer:!1})}return en.render(e)}function nn({text:e}){let{front:t,body:n}=$t(e),[r,i]=V(null);return H(()=>{let e=!0;return tn(n).then(t=>e&&i(t)),()=>{e=!1}},[n]),U`<div class="dataset-card" data-testid="export-card">
    ${t===null?null:U`<div class="front-matter">
          <div class="block-title">Front matter</div>
          <pre data-testid="card-front-matter">${t}</pre>
        </div>`}
    ${r===null?U`<${Z} what="card" />`:U`<div class="markdown" data-testid="card-body" dangerouslySetInnerHTML=${{__html:r}}></div>`}
  </div>`}function rn({file:e}){let t=e.url||``,n=e.file||Qt(e.key),[r,i]=V(!1);return/^https?:\/\//i.test(t)?U`<a href=${t} target="_blank" rel="noopener noreferrer" data-testid="export-file" data-file=${n} title=${e.key}
      >${n}</a
    >`:U`<a
    href=${ze(t)}
    download=${Qt(n)}
    onClick=${async e=>{e.preventDefault(),i(!0);try{let e=await(await He(t)).blob(),r=URL.createObjectURL(e),i=document.createElement(`a`);i.href=r,i.download=Qt(n),document.body.appendChild(i),i.click(),i.remove(),setTimeout(()=>URL.revokeObjectURL(r),6e4),q(`download`)}catch(e){K(`download`,e)}finally{i(!1)}}}
    data-testid="export-file"
    data-file=${n}
    data-url=${t}
    title=${e.key}
    class=${r?`busy`:``}
    >${n}</a
  >`}function an(e,t){if(e&&Array.isArray(e.formats))return e.formats;let n=new Set;for(let e of t||[]){let t=Qt(e.file).split(`.`);/^(train|validation|test)/.test(t[0])&&(t.length===2?n.add(t[1]===`jsonl`?`jsonl`:t[1]):t.length>=3&&n.add(t.slice(1,-1).join(`.`)))}return[...n].sort()}function on({manifest:e,files:t}){let n=e.splits||{},r=an(e,t);return U`<div class="manifest" data-testid="export-manifest">
    <dl class="kv kv-inline">
      <div class="kv-row"><dt>created</dt><dd>${Xe(e.created_at)}</dd></div>
      ${e.kind?U`<div class="kv-row"><dt>kind</dt><dd>${e.kind}</dd></div>`:null}
      <div class="kv-row"><dt>tokens</dt><dd>${Y(e.tokens)}</dd></div>
      ${Object.entries(n).map(([e,t])=>U`<div class="kv-row" key=${e} data-testid=${`split-${e}`}>
          <dt>${e}</dt>
          <dd>${Y(t&&t.records)} records${t&&t.tokens!==void 0?`, ${Y(t.tokens)} tokens`:``}</dd>
        </div>`)}
      <div class="kv-row"><dt>formats</dt><dd>${r.length?r.join(`, `):`—`}</dd></div>
    </dl>
    <details>
      <summary class="small">Manifest</summary>
      <pre class="json">${JSON.stringify(e,null,2)}</pre>
    </details>
  </div>`}function sn({jobId:e,version:t,latest:n}){let r=t.version,i=t.complete!==!1,a=J(()=>i?W(`GET`,`/jobs/${encodeURIComponent(e)}/exports/${r}`):Promise.resolve(null),[e,r,i]),[o,s]=V(!1),c=a.data;return U`<div class="card export-version" data-testid="export-version" data-version=${r}>
    <div class="export-head">
      <h3>
        Version ${r}${n?U` <span class="tag">latest</span>`:null}${i?null:U` <span class="tag fail" data-testid="export-incomplete">incomplete</span>`}
      </h3>
      ${c&&c.card?U`<button type="button" class="secondary" onClick=${()=>s(!o)} data-testid="card-toggle">
            ${o?`Hide card`:`Show card`}
          </button>`:null}
    </div>
    <div class="files">
      <span class="muted small">Files:</span>
      <ul class="file-list">
        ${(t.files||[]).map(e=>U`<li key=${e.file||e.key}><${rn} file=${e} /></li>`)}
      </ul>
    </div>
    ${c&&c.manifest?U`<${on} manifest=${c.manifest} files=${t.files} />`:a.loading?U`<${Z} what="manifest" />`:null}
    ${o&&c&&c.card?U`<${nn} text=${c.card} />`:null}
  </div>`}function cn({jobId:e,formats:t,onCreated:n}){let r=t.filter(e=>e!==`jsonl`),[i,a]=V({}),[o,s]=V(`0`),[c,l]=V(``),[u,d]=V(!1),[f,p]=V(null);return U`<form class="card new-export" onSubmit=${async t=>{t.preventDefault();let a={formats:r.filter(e=>i[e]),min_score:o===``?0:Number(o),min_rating:c===``?null:Number(c)};d(!0);try{let t=await W(`POST`,`/jobs/${encodeURIComponent(e)}/exports`,a);q(`new-export`),p(t&&t.version),n(t)}catch(e){K(`new-export`,e)}finally{d(!1)}}} data-testid="export-form">
    <h2>New export</h2>
    <div class="form-row">
      <span class="control-label">Formats</span>
      <label class="check"><input type="checkbox" checked disabled /> jsonl <span class="muted small">(always written)</span></label>
      ${r.map(e=>U`<label class="check" key=${e}>
          <input
            type="checkbox"
            checked=${!!i[e]}
            onChange=${t=>a({...i,[e]:t.currentTarget.checked})}
            data-testid=${`export-format-${e}`}
          />
          ${e}
        </label>`)}
    </div>
    <div class="form-row">
      <label
        >Min score
        <input type="number" min="0" max="1" step="0.01" value=${o} onInput=${e=>s(e.currentTarget.value)} data-testid="export-min-score"
      /></label>
      <label
        >Min rating
        <input
          type="number"
          min="1"
          max="10"
          step="1"
          placeholder="any"
          value=${c}
          onInput=${e=>l(e.currentTarget.value)}
          data-testid="export-min-rating"
      /></label>
      <button type="submit" disabled=${u} data-testid="export-submit">${u?`Exporting…`:`Create export`}</button>
      ${f==null?null:U`<span class="ok small" data-testid="export-created" data-version=${f}>Created version ${f}.</span>`}
    </div>
    <p class="muted small">
      Rejected examples are left out; rewritten ones are exported with the rewrite, the original kept under${` `}
      <code>review.original_response</code>.
    </p>
  </form>`}function ln({id:e}){let t=encodeURIComponent(e),n=J(()=>W(`GET`,`/jobs/${t}/exports`),[e]),[r,i]=V(null);H(()=>{let e=!0;return W(`GET`,`/formats`).then(t=>e&&i(t&&Array.isArray(t.formats)&&t.formats.length?t.formats:Zt)).catch(()=>e&&i(Zt)),()=>{e=!1}},[]);let a=[...n.data&&n.data.versions||[]].sort((e,t)=>t.version-e.version);return U`<section data-testid="exports-page">
    <${ot} id=${e}>
      <div class="actions"><button type="button" class="secondary" onClick=${n.reload} data-testid="exports-refresh">Refresh</button></div>
    <//>
    <${at} id=${e} active="exports" />
    ${r?U`<${cn} jobId=${e} formats=${r} onCreated=${n.reload} />`:null}
    <h2>Versions</h2>
    ${n.data&&n.data.expires_in_s&&a.some(e=>(e.files||[]).some(e=>/^https?:\/\//i.test(e.url||``)))?U`<p class="muted small">Download links from object storage expire after ${Y(n.data.expires_in_s)} s: refresh to renew them.</p>`:null}
    ${n.loading&&!n.data?U`<${Z} what="exports" />`:null}
    ${n.data&&!a.length?U`<p class="muted" data-testid="exports-empty">No export yet.</p>`:null}
    <div data-testid="export-versions">
      ${a.map((t,n)=>U`<${sn} key=${t.version} jobId=${e} version=${t} latest=${n===0} />`)}
    </div>
  </section>`}function un(e){let t=[],n=``,r=!1;for(let i=0;i<e.length;i++){let a=e[i];r?a===`"`&&e[i+1]===`"`?(n+=`"`,i++):a===`"`?r=!1:n+=a:a===`"`?r=!0:a===`,`?(t.push(n),n=``):n+=a}return t.push(n),t.map(e=>e.trim())}var dn=e=>/^https?:\/\/\S+$/i.test(e);function fn(e,t){let n=t.replace(/^\uFEFF/,``).split(/\r?\n/),r=e.toLowerCase();if(r.endsWith(`.jsonl`)||r.endsWith(`.ndjson`)){let e=[];for(let t of n)if(t.trim())try{let n=JSON.parse(t);n&&typeof n.url==`string`&&e.push(n.url.trim())}catch{}return e}if(r.endsWith(`.csv`)){let e=n.filter(e=>e.trim()).map(un);if(!e.length)return[];let t=e[0].findIndex(e=>e.toLowerCase()===`url`);return t>=0?e.slice(1).map(e=>e[t]||``).filter(Boolean):e.flat().filter(dn)}return n.map(e=>e.trim()).filter(Boolean)}function pn({data:e}){let t=e.estimate||{};return U`<div class="card estimate" data-testid="estimate">
    <h2>Estimate</h2>
    <div class="stats-row">
      <div class="stat"><div class="stat-value" data-testid="estimate-cost">${t.priced===!1?`unpriced`:Ze(t.cost_usd)}</div><div class="stat-label">cost</div></div>
      <div class="stat"><div class="stat-value">${Y(e.urls)}</div><div class="stat-label">URLs accepted</div></div>
      <div class="stat"><div class="stat-value">${Y(t.pages)}</div><div class="stat-label">pages</div></div>
      <div class="stat"><div class="stat-value">${Y(t.chunks)}</div><div class="stat-label">chunks</div></div>
      <div class="stat"><div class="stat-value">${Y(t.llm_calls)}</div><div class="stat-label">LLM calls</div></div>
    </div>
    <dl class="kv kv-inline">
      <div class="kv-row"><dt>model</dt><dd>${t.model||`—`}</dd></div>
      <div class="kv-row"><dt>prompt tokens</dt><dd>${Y(t.prompt_tokens)}</dd></div>
      <div class="kv-row"><dt>completion tokens</dt><dd>${Y(t.completion_tokens)}</dd></div>
    </dl>
    ${t.priced===!1?U`<p class="small">The model has no known price: the cost is not estimated.</p>`:null}
    ${t.basis?U`<p class="muted small" data-testid="estimate-basis">${t.basis}</p>`:null}
    ${e.refused&&e.refused.length?U`<div><p>${tt(e.refused.length,`line`)} refused:</p><${dt} refused=${e.refused} /></div>`:null}
  </div>`}function mn(){let e=J(()=>W(`GET`,`/templates`),[]),[t,n]=V(``),[r,i]=V(``),[a,o]=V(!1),[s,c]=V(null),[l,u]=V(!1),[d,f]=V(``),p=e.data&&e.data.templates||[],m=r||(p.find(e=>e.name===`qa`)?`qa`:p[0]?p[0].name:``),h=p.find(e=>e.name===m),g=t.split(/\r?\n/).map(e=>e.trim()).filter(Boolean),_=()=>{let e={inspector:{judge:a}};return m&&(e.factory={template:m}),{urls:g,config:e}},v=e=>t=>{e(t),c(null)};return U`<section data-testid="new-job-page">
    <div class="page-head"><h1>New job</h1></div>
    <form class="card" onSubmit=${async e=>{e.preventDefault(),u(!0);try{let e=await W(`POST`,`/jobs`,_());q(`new-job`),bt(e.job_id,e),ut(`#/jobs/${encodeURIComponent(e.job_id)}`)}catch(e){K(`new-job`,e),u(!1)}}} data-testid="new-job-form">
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
          <input type="file" accept=".txt,.csv,.jsonl,.ndjson,text/plain,text/csv" onChange=${async e=>{let t=e.currentTarget.files&&e.currentTarget.files[0];if(!t)return;let r=fn(t.name,await t.text());n(r.join(`
`)),c(null),f(`${r.length} URLs read from ${t.name}`)}} data-testid="urls-file" />
        </label>
        <span class="muted small" data-testid="urls-count">${Y(g.length)} URLs${d?` · ${d}`:``}</span>
      </div>
      <div class="form-row">
        <label
          >Template
          <select value=${m} onChange=${v(e=>i(e.currentTarget.value))} data-testid="template-select">
            ${p.map(e=>U`<option key=${e.name} value=${e.name}>${e.name}${e.version?` (v${e.version})`:``}</option>`)}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked=${a} onChange=${v(e=>o(e.currentTarget.checked))} data-testid="judge-checkbox" />
          LLM judge (scores each example with a second model call)
        </label>
      </div>
      ${h&&h.description?U`<p class="muted small" data-testid="template-description">${h.description}</p>`:null}
      <div class="button-row">
        <button type="button" class=${s?`secondary`:``} onClick=${async()=>{u(!0);try{let e=await W(`POST`,`/estimate`,_());q(`new-job`),c(e)}catch(e){K(`new-job`,e)}finally{u(!1)}}} disabled=${l||!g.length} data-testid="estimate-button">
          Estimate
        </button>
        ${s?U`<button type="submit" disabled=${l} data-testid="submit-job">Start job</button>`:U`<span class="muted small">Estimate the cost first; the job can then be started.</span>`}
      </div>
    </form>
    ${s?U`<${pn} data=${s} />`:null}
  </section>`}function hn(){let e=Le(),[t,n]=V(e.base),[r,i]=V(e.token),[a,o]=V(!1),[s,c]=V(null);return U`<section data-testid="settings-page">
    <div class="page-head"><h1>Settings</h1></div>
    <form class="card settings" onSubmit=${e=>{e.preventDefault(),Re({base:t,token:r});let a=Le();n(a.base),i(a.token),c({ok:!0,text:`Saved.`})}}>
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
        <button type="button" class="secondary" onClick=${async()=>{Re({base:t,token:r}),c({ok:!0,text:`Testing…`});try{let e=await W(`GET`,`/jobs?limit=1`);c({ok:!0,text:`Connected: the API answered (${(e.jobs||[]).length?`jobs found`:`no jobs yet`}).`})}catch(e){c({ok:!1,text:e.status===401?`Not authorized: ${e.message}`:`Failed: ${e.message}`})}}} data-testid="settings-test">Save and test</button>
        <button type="button" class="secondary" onClick=${()=>{Re({base:``,token:``}),n(``),i(``),c({ok:!0,text:`Cleared: requests go to this origin without a token.`})}} data-testid="settings-clear">Clear</button>
        ${s?U`<span class=${s.ok?`ok small`:`bad small`} data-testid="settings-note">${s.text}</span>`:null}
      </div>
    </form>
  </section>`}function gn(e){let t=(e||``).replace(/^#/,``)||`/`,n=t.indexOf(`?`),r=n>=0?t.slice(0,n):t,i=new URLSearchParams(n>=0?t.slice(n+1):``),a;try{a=r.split(`/`).filter(Boolean).map(decodeURIComponent)}catch{return{page:`notfound`,query:i}}return a.length===0?{page:`jobs`,query:i}:a.length===1&&a[0]===`new`?{page:`new`,query:i}:a.length===1&&a[0]===`settings`?{page:`settings`,query:i}:a[0]===`jobs`&&a.length===1?{page:`jobs`,query:i}:a[0]===`jobs`&&a.length===2?{page:`job`,id:a[1],query:i}:a[0]===`jobs`&&a.length===3&&[`quality`,`review`,`exports`].includes(a[2])?{page:a[2],id:a[1],query:i}:{page:`notfound`,query:i}}function _n({route:e}){let[,t]=V(0);H(()=>{let e=()=>t(e=>e+1);return window.addEventListener(Pe,e),()=>window.removeEventListener(Pe,e)},[]);let n=t=>t.includes(e.page)?`active`:``,{token:r,base:i}=Le();return U`<header class="topbar">
    <a class="brand" href="#/" data-testid="nav-home">datafactory</a>
    <nav>
      <a href="#/" class=${n([`jobs`,`job`,`quality`,`review`,`exports`])} data-testid="nav-jobs">Jobs</a>
      <a href="#/new" class=${n([`new`])} data-testid="nav-new">New job</a>
      <a href="#/settings" class=${n([`settings`])} data-testid="nav-settings">Settings</a>
    </nav>
    <span class="topbar-info muted small">
      ${i?`API ${i}`:`API: this origin`}${r?` · token set`:``}
    </span>
  </header>`}function vn({route:e}){switch(e.page){case`jobs`:return U`<${vt} />`;case`job`:return U`<${kt} key=${e.id} id=${e.id} />`;case`quality`:return U`<${Pt} key=${e.id} id=${e.id} />`;case`review`:return U`<${Wt} key=${e.id} id=${e.id} focus=${e.query.get(`focus`)} />`;case`exports`:return U`<${ln} key=${e.id} id=${e.id} />`;case`new`:return U`<${mn} />`;case`settings`:return U`<${hn} />`;default:return U`<div class="card"><h1>Not found</h1><p>No page at this address. <a href="#/">Back to the jobs</a>.</p></div>`}}function yn(){let e=gn(Je());return H(()=>Ge(),[`${e.page}/${e.id||``}`]),U`<div class="app">
    <${_n} route=${e} />
    <main class="content">
      <${it} />
      <${vn} route=${e} />
    </main>
  </div>`}L(U`<${yn} />`,document.getElementById(`app`));