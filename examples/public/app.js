// The login page's whole client: fetch with the cookies the server set, the
// CSRF token echoed on every POST, and one refresh-and-retry on a 401.
'use strict';

const SESSION = '/api/session/';
const SESSIONS = '/api/sessions/';
const $ = (id) => document.getElementById(id);
let refreshes = 0;

/** The csrftoken cookie: the only cookie this script can read. */
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : '';
}

function log(message) {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()}  ${message}`;
  $('log').prepend(item);
}

function post(path, body = {}) {
  return fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
    body: JSON.stringify(body),
  });
}

/** A DELETE, with the CSRF token as every unsafe method needs. */
function del(path) {
  return fetch(path, { method: 'DELETE', credentials: 'same-origin', headers: { 'X-CSRFToken': csrfToken() } });
}

async function detailOf(res) {
  try {
    return (await res.json()).detail ?? res.statusText;
  } catch {
    return res.statusText;
  }
}

function showSignedIn(user) {
  $('me').textContent = JSON.stringify(user);
  $('refreshes').textContent = String(refreshes);
  $('session').hidden = false;
  $('login').hidden = true;
  $('status').textContent = `Signed in as ${user.username}.`;
}

function showSignedOut(reason) {
  $('session').hidden = true;
  $('sessions-box').hidden = true;
  $('login').hidden = false;
  $('status').textContent = reason ? `Signed out: ${reason}` : 'Signed out.';
}

/** New access (and rotated refresh) cookies from the refresh cookie. */
async function refresh() {
  const res = await post(`${SESSION}refresh/`);
  if (res.ok) {
    refreshes += 1;
    log('access token expired: refreshed it');
    return true;
  }
  log(`refresh refused: ${res.status} ${await detailOf(res)}`);
  return false;
}

/** A call that refreshes the access token once when it has expired. */
async function withRefresh(call) {
  let res = await call();
  if (res.status === 401 && (await refresh())) res = await call();
  return res;
}

/** One line of "your sessions": device, address, last use; a log-out button for the other devices. Text only (a user agent is anyone's string). */
function sessionItem(session) {
  const item = document.createElement('li');
  item.dataset.id = session.id;
  const when = new Date(session.lastUsedAt).toLocaleString();
  item.textContent = `${session.userAgent ?? 'unknown device'} — ${session.ip ?? 'unknown address'} — last used ${when}`;
  if (session.current) {
    const mark = document.createElement('strong');
    mark.className = 'current';
    mark.textContent = ' (this device)';
    item.append(mark);
    return item;
  }
  const button = document.createElement('button');
  button.className = 'logout-session';
  button.textContent = 'Log out';
  button.addEventListener('click', async () => {
    button.disabled = true;
    const res = await withRefresh(() => del(`${SESSIONS}${encodeURIComponent(session.id)}/`));
    log(res.status === 204 ? 'logged out a device' : `log out of a device failed: ${res.status} ${await detailOf(res)}`);
    await loadSessions();
  });
  item.append(' ', button);
  return item;
}

async function loadSessions() {
  const res = await withRefresh(() => fetch(SESSIONS, { credentials: 'same-origin' }));
  if (!res.ok) {
    log(`sessions: ${res.status} ${await detailOf(res)}`);
    return;
  }
  const sessions = await res.json();
  $('sessions').replaceChildren(...sessions.map(sessionItem));
  $('sessions-box').hidden = false;
  $('sessions-box').dataset.loaded = String(Date.now());
}

async function loadMe() {
  const res = await withRefresh(() => fetch('/api/me/', { credentials: 'same-origin' }));
  if (res.ok) {
    showSignedIn(await res.json());
    await loadSessions();
    return;
  }
  showSignedOut(res.status === 401 ? 'the session has ended' : await detailOf(res));
}

$('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('error').textContent = '';
  const res = await post(SESSION, { username: $('username').value, password: $('password').value });
  if (!res.ok) {
    $('error').textContent = await detailOf(res);
    return;
  }
  log('logged in');
  await loadMe();
});

$('call-me').addEventListener('click', async () => {
  // Disabled while the call (and any refresh) runs: one at a time.
  $('call-me').disabled = true;
  try {
    await loadMe();
  } finally {
    $('call-me').disabled = false;
  }
});

$('logout').addEventListener('click', async () => {
  await post(`${SESSION}logout/`);
  log('logged out');
  showSignedOut();
});

$('logout-all').addEventListener('click', async () => {
  const res = await withRefresh(() => post('/api/logout-all/'));
  log(res.ok ? 'logged out everywhere' : `log out everywhere failed: ${res.status} ${await detailOf(res)}`);
  // This browser's cookies go too (its refresh token is already blacklisted).
  await post(`${SESSION}logout/`);
  showSignedOut();
});

$('load-sessions').addEventListener('click', () => void loadSessions());

$('logout-others').addEventListener('click', async () => {
  const res = await withRefresh(() => post(`${SESSIONS}revoke-others/`));
  log(res.ok ? `logged out ${(await res.json()).revoked} other device(s)` : `log out of other devices failed: ${res.status} ${await detailOf(res)}`);
  await loadSessions();
});

// A page load with a session still open (its CSRF cookie is there) shows it.
if (csrfToken()) void loadMe();
