"""The application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from casework import http, logs, ops, proxies, throttle
from casework.bootstrap import build_services
from casework.extensions import csrf, login_manager
from casework.names import display_name
from casework.settings import load_settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings = load_settings(config)
    app = Flask(
        "casework",
        instance_path=settings["INSTANCE_PATH"],
        static_url_path="/assets",
        static_folder="static",
    )
    app.config.update(settings)
    app.config["SESSION_COOKIE_NAME"] = settings["SESSION_COOKIE_NAME"]
    logs.configure(settings["LOG_LEVEL"])
    app.extensions["casework"] = build_services(settings)

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("casework"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.globals["service_name"] = settings["SERVICE_NAME"]
    app.jinja_env.filters["display_name"] = display_name  # people's names as pages show them

    ops.install(app)  # first: its timer spans every other hook, its count sees the answer
    throttle.install(app)  # before http: its counts must not share the request's transaction
    login_manager.init_app(app)
    csrf.init_app(app)
    http.install(app)

    from casework.api import blueprint as api_blueprint
    from casework.web import blueprint as web_blueprint

    csrf.exempt(api_blueprint)
    app.register_blueprint(web_blueprint)
    app.register_blueprint(api_blueprint)
    proxies.install(app, settings)  # forwarded headers, from trusted proxies only
    return app
