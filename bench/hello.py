"""The baseline: a bare Flask route served the same way as the app."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "hello"
