"""Decodes a token with Django REST Framework Simple JWT, its key from a JWK Set URL.

Usage: /usr/bin/python3 test/interop/django-verify.py <jwk_url> <token> [algorithm]
Prints the verified claims as JSON; on a refusal prints {"error": "..."} and exits 1.
Self-contained: Django configured in this file, no project.
"""
import json
import sys

import django
from django.conf import settings

jwk_url, token = sys.argv[1], sys.argv[2]
algorithm = sys.argv[3] if len(sys.argv) > 3 else "RS256"

settings.configure(
    SECRET_KEY="interop-test-only",
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "rest_framework_simplejwt"],
    DATABASES={},
    SIMPLE_JWT={"ALGORITHM": algorithm, "SIGNING_KEY": None, "VERIFYING_KEY": None, "JWK_URL": jwk_url},
)
django.setup()

from rest_framework_simplejwt.backends import TokenBackend  # noqa: E402
from rest_framework_simplejwt.exceptions import TokenBackendError  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402

try:
    claims = TokenBackend(algorithm, jwk_url=jwk_url).decode(token, verify=True)
    # The same through Simple JWT's own token class and SIMPLE_JWT settings.
    AccessToken(token)
except TokenBackendError as err:
    print(json.dumps({"error": str(err)}))
    sys.exit(1)
except Exception as err:  # noqa: BLE001 - reported to the test, not raised
    print(json.dumps({"error": f"{type(err).__name__}: {err}"}))
    sys.exit(1)
print(json.dumps(claims))
