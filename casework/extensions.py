"""Flask extensions, created unbound and initialised by the app factory."""

from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "web.sign_in"
login_manager.login_message = "Sign in to continue"
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

csrf = CSRFProtect()
