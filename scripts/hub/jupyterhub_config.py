"""JupyterHub's configuration for the class that scripts/hub/setup.py laid out (`make hub`).

Everything that differs from one class to another comes from the settings file setup.py wrote
(the path in $PYTORCH_COURSE_HUB, default /opt/pytorch-course/hub/settings.json): who may log in,
where the class's environment and the exchange are, the address to listen on.

- Authenticator: PAM (the machine's own accounts and passwords); tests use DummyAuthenticator.
- Spawner: the default LocalProcessSpawner: each user's Jupyter server runs as that Unix user,
  from the class's environment, in their (private) home folder, on 127.0.0.1.
- The proxy: configurable-http-proxy from scripts/hub/node_modules.
- The hub's own state (its database, cookie secret, the proxy's pid file) lives in the settings
  file's folder, readable by root only.
"""
import json
import os
from pathlib import Path

c = get_config()  # noqa: F821  (provided by the config loader)

SETTINGS = Path(os.environ.get("PYTORCH_COURSE_HUB", "/opt/pytorch-course/hub/settings.json"))
if not SETTINGS.is_file():
    raise SystemExit(f"没有 {SETTINGS}：请用 sudo make hub 布置并启动这个班（它会写这个文件）。\n"
                     f"{SETTINGS} is missing: lay out and start the class with sudo make hub "
                     f"(which writes it).")
s = json.loads(SETTINGS.read_text())
STATE = SETTINGS.parent

c.JupyterHub.ip = s["ip"]
c.JupyterHub.port = s["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = s["hub_port"]
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [s["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s['proxy_api_port']}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

if s["authenticator"] == "dummy":  # tests only: any allowed name with this password
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = s["dummy_password"]
else:
    c.JupyterHub.authenticator_class = "pam"
    c.PAMAuthenticator.open_sessions = False  # no login sessions (systemd-logind) per server
c.Authenticator.allowed_users = {s["instructor"], *s["students"]}

c.Spawner.cmd = [str(Path(s["env"]) / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {
    "PATH": f"{s['env']}/bin:/usr/local/bin:/usr/bin:/bin",
    # The course's nbgrader_config.py (the instructor's) reads the exchange from here; everyone
    # else's nbgrader reads it from the environment's etc/jupyter/nbgrader_config.py.
    "NBGRADER_EXCHANGE": s["exchange"],
}
c.Spawner.start_timeout = 120  # a class logging in at once on a few cores
c.Spawner.http_timeout = 120

# An API client of the hub's own (tests/test_hub.py starts servers and makes tokens with it).
if s.get("api_token"):
    c.JupyterHub.services = [{"name": "class-admin", "api_token": s["api_token"]}]
    c.JupyterHub.load_roles = [{
        "name": "class-admin", "services": ["class-admin"],
        "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"]}]
