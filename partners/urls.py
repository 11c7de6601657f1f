from __future__ import annotations

app_name = "partners"

urlpatterns: list = []
