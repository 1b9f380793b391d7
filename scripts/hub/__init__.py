"""A JupyterHub for a class on one machine: `make hub` (scripts/hub/setup.py, as root).

setup.py            lays the class out (environment, users, exchange, the instructor's course)
jupyterhub_config.py  the hub's configuration; reads the settings setup.py wrote
class_nbgrader_config.py  every user's nbgrader settings (copied into the class's environment)
package.json        configurable-http-proxy, the hub's proxy (npm ci into node_modules/)
"""
