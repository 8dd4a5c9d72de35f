"""Who is asking, on a staff route: the signed-in staff member (the console's cookie), or a refusal.

A customer's session id presented here in any form (as the cookie, `X-Session-Id`, a bearer token) is
refused with 403 `staff_only`; no credential at all is 401 `staff_sign_in_required` (the API) or a
redirect to the sign-in page (the console's pages, `ui/staff_console.py`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from service.staff import CustomerNotStaff, StaffMember, StaffService, StaffSignInRequired

STAFF_COOKIE = "returndesk_staff"


def staff_service(request: Request) -> StaffService:
    return request.app.state.staff


Staff = Annotated[StaffService, Depends(staff_service)]


def current_staff(request: Request, staff: Staff) -> StaffMember:
    token = request.cookies.get(STAFF_COOKIE)
    if (member := staff.member_for(token)) is not None:
        return member
    bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if any(staff.is_customer_session(v) for v in (token, request.headers.get("x-session-id"), bearer) if v):
        raise CustomerNotStaff("This is for staff: a customer's session cannot open it.")
    raise StaffSignInRequired("Sign in as staff first (POST /v1/staff/login, or the page /staff/login).")


SignedInStaff = Annotated[StaffMember, Depends(current_staff)]


def set_staff_cookie(response: Response, token: str, request: Request) -> None:
    settings = request.app.state.settings
    response.set_cookie(
        STAFF_COOKIE,
        token,
        max_age=int(settings.staff_session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=settings.public_url.startswith("https://"),
        path="/",
    )


def clear_staff_cookie(response: Response) -> None:
    response.delete_cookie(STAFF_COOKIE, path="/", httponly=True, samesite="strict")
