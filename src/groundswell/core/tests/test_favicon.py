import struct

import pytest

pytestmark = pytest.mark.django_db


def test_the_site_answers_favicon_ico_with_a_real_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = response.content
    # An ICO directory (reserved 0, type 1, one image) whose image is a PNG of 32 × 32.
    assert struct.unpack("<HHH", body[:6]) == (0, 1, 1)
    width, height = body[6], body[7]
    offset = struct.unpack("<I", body[18:22])[0]
    assert (width, height) == (32, 32)
    assert body[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"


def test_public_and_staff_pages_name_the_icon(client, persona_client):
    assert 'rel="icon"' in client.get("/").content.decode()
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in persona_client("volunteer").get("/people/").content.decode()
