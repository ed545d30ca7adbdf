// The script-tag page: the global build (CognitoWasm), no modules, no bundler.
(async function () {
  await CognitoWasm.default(); // finds cognito_wasm_bg.wasm next to the script
  var cfg = await fetch('config.json').then(function (r) { return r.ok ? r.json() : null; }).catch(function () { return null; });
  cfg = cfg || { userPoolId: 'us-east-1_Emulator1', clientId: '3n4b5urk1ft4fl3mg5e62d9ado', endpoint: 'http://127.0.0.1:9229/' };
  var auth = new CognitoWasm.CognitoAuth({ userPoolId: cfg.userPoolId, clientId: cfg.clientId, endpoint: cfg.endpoint });
  auth.preload('signIn').catch(function () {}); // ready while the user types
  var status = document.getElementById('status');
  var out = document.getElementById('out');
  function render() {
    var u = auth.currentUser();
    status.textContent = u ? 'Signed in as ' + u.username : 'Signed out';
    status.className = 'status ' + (u ? 'in' : '');
  }
  document.getElementById('form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    auth.signIn({ username: document.getElementById('username').value, password: document.getElementById('password').value })
      .then(function (r) { out.textContent = r.signedIn ? 'Signed in.' : 'Next step: ' + r.nextStep.challenge; out.className = 'out ok'; render(); })
      .catch(function (e) { out.textContent = e.name + ': ' + e.message; out.className = 'out error'; });
  });
  document.getElementById('signout').addEventListener('click', function () {
    auth.signOut({}).then(function () { out.textContent = 'Signed out.'; render(); });
  });
  render();
  document.body.dataset.ready = 'true';
})();
