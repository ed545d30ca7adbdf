#!/usr/bin/env python3
"""Runs an unchanged Python Lambda handler as a cognito-emulator trigger command:

    "command": ["python3", "emulator/adapters/lambda_adapter.py", "triggers/handler.py:lambda_handler"]

FILE[:FUNCTION] (default ``lambda_handler``). Reads the event on stdin, calls the handler,
prints the returned event on stdout. An exception becomes Lambda's error shape
``{"errorMessage", "errorType"}`` on stdout, exit status 1.
"""
import importlib.util
import json
import os
import sys
import uuid


class Context:
    def __init__(self, name):
        self.function_name = name
        self.aws_request_id = uuid.uuid4().hex

    def get_remaining_time_in_millis(self):
        return 5000


def main():
    if len(sys.argv) < 2:
        raise RuntimeError("usage: lambda_adapter.py FILE[:FUNCTION]")
    spec = sys.argv[1]
    file, _, name = spec.rpartition(":") if ":" in spec[2:] else (spec, "", "lambda_handler")
    path = os.path.abspath(file)
    sys.path.insert(0, os.path.dirname(path))
    loader = importlib.util.spec_from_file_location("handler_module", path)
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    fn = getattr(module, name, None)
    if not callable(fn):
        raise RuntimeError(f"{file} has no function {name}")
    event = json.load(sys.stdin)
    # The handler's own print() goes to stderr (CloudWatch, in Lambda): stdout carries the event.
    real, sys.stdout = sys.stdout, sys.stderr
    try:
        result = fn(event, Context(name))
    finally:
        sys.stdout = real
    sys.stdout.write(json.dumps(event if result is None else result))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # Lambda reports any exception in this shape
        sys.stdout.write(json.dumps({"errorMessage": str(e), "errorType": type(e).__name__}))
        sys.exit(1)
