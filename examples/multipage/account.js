// A protected page: signed out, it sends the user to the login page, which brings them back
// here. Shows the user and their attributes, changes the password, signs out (this tab and the
// site's other tabs follow: the SDK tells them) or everywhere (GlobalSignOut).
import { auth, $, say, sayError, accountMenu } from './auth.js';

const toLogin = () => location.replace(`login.html?next=${encodeURIComponent(location.pathname)}`);

// Signed out in another tab (or here): leave the protected page, unless another signed-in
// account took over (its "accountSwitched" comes first): then show that account.
auth.onAuthEvent((e) => {
  if (e.type === 'accountSwitched') location.reload();
  if ((e.type === 'signedOut' || e.type === 'tokenRefreshFailure') && !auth.currentUser()) toLogin();
});

const user = auth.currentUser();
if (!user) {
  toLogin();
} else {
  await accountMenu($('account-menu'));
  try {
    // getUserAttributes asks Cognito: the attributes as they are now, not as the ID token saw them.
    const attrs = await auth.getUserAttributes();
    $('attributes').replaceChildren(
      ...Object.entries(attrs).flatMap(([k, v]) => {
        const dt = document.createElement('dt');
        const dd = document.createElement('dd');
        dt.textContent = k;
        dd.textContent = v;
        dd.dataset.attribute = k;
        return [dt, dd];
      }),
    );
  } catch (e) {
    sayError('msg', e);
  }
  document.body.dataset.ready = 'true';
}

$('password-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    await auth.changePassword({ oldPassword: $('old-password').value, newPassword: $('new-password').value });
    ev.target.reset();
    say('msg', 'Password changed.');
  } catch (e) {
    sayError('msg', e);
  }
});

$('signout').addEventListener('click', () => auth.signOut().catch((e) => sayError('msg', e)));
$('signout-all').addEventListener('click', () => auth.signOut({ global: true }).catch((e) => sayError('msg', e)));
