"""Access requests and Administración de usuarios (PORTAL.md 3.4, 3.6): state and mail."""

from __future__ import annotations

from bs4 import Tag

from tests.fixtures.portal import PortalProcess
from tests.mock_portal.web_client import (
    Account,
    WebClient,
    WebPage,
    mail_link,
    request_access,
    seeded_account,
    state_of,
    validate_entity,
)

REQUESTED = "SECOP II - Solicitud de acceso a su cuenta de proveedor"


def _admin_users_page(portal: PortalProcess, account: Account) -> WebClient:
    client = WebClient(portal.url)
    page = client.login(account.admin_username)
    assert "/CO1Marketplace/Desktop/Index" in page.url
    client.get(page.link("Administración de usuarios"))
    return client


def _row_action(client: WebClient, email: str, label: str) -> WebPage:
    """Click ``label`` in the row of the user with ``email`` (as get_by_role('row') would)."""
    assert client.page is not None
    for row in client.page.soup.select("#tblUsers tbody tr"):
        if email in row.get_text():
            button = row.find("button", string=label)
            assert isinstance(button, Tag), f"no {label} for {email}"
            return client.submit(button=str(button["id"]))
    raise AssertionError(f"no row for {email}")


def _mails_to(portal: PortalProcess, email: str) -> list[str]:
    return [m["kind"] for m in portal.state()["mails"] if m["recipient"] == email]


def test_request_access_leaves_the_user_pending_and_mails_the_admin(
    portal: PortalProcess,
) -> None:
    account = seeded_account(portal)
    user_id, _, client = request_access(portal, account)
    membership = state_of(portal, user_id, account.id)
    assert membership is not None
    assert (membership["role"], membership["state"]) == ("user", "Pendiente")
    [mail] = portal.wait_for_mail(to=account.admin_email, subject=REQUESTED)
    assert mail_link(mail.text, "/CO1Marketplace/Users/Admin/Index")
    assert "Solicitante" in mail.text
    assert client.page is not None
    assert "Pendiente" in client.page.text()
    # a second request only says it is pending
    validate_entity(client, "", account.nit)
    page = client.submit(button=f"btnRequestAccess{account.id}")
    assert "ya está pendiente de aprobación" in page.text()
    assert page.soup.find(id="btnFinish") is None
    # and the account stays out of reach
    desk = client.get("/CO1Marketplace/Desktop/Index?mkey=" + _mkey(client))
    assert "/CO1Marketplace/Users/Settings/Registrations" in desk.url
    assert f'id="btnEnter{account.id}"' not in desk.html


def _mkey(client: WebClient) -> str:
    assert client.page is not None
    return client.page.url.split("mkey=")[1].split("&")[0]


def test_admin_accepts_a_pending_request(portal: PortalProcess) -> None:
    account = seeded_account(portal)
    user_id, email, _ = request_access(portal, account)
    admin = WebClient(portal.url)
    desk = admin.login(account.admin_username)
    assert email in desk.text()  # the desk lists pending requests
    admin.get(desk.link("Administración de usuarios"))
    page = _row_action(admin, email, "Aceptar acceso")
    assert "Se aceptó el acceso de Solicitante" in page.text()
    assert state_of(portal, user_id, account.id)["state"] == "Aceptado"  # type: ignore[index]
    portal.wait_for_mail(to=email, subject="SECOP II - Solicitud de acceso aceptada")


def test_admin_rejects_then_reverts_the_rejection(portal: PortalProcess) -> None:
    account = seeded_account(portal)
    user_id, email, _ = request_access(portal, account)
    admin = _admin_users_page(portal, account)
    _row_action(admin, email, "Rechazar acceso")
    assert state_of(portal, user_id, account.id)["state"] == "Rechazado"  # type: ignore[index]
    portal.wait_for_mail(to=email, subject="SECOP II - Solicitud de acceso rechazada")
    page = _row_action(admin, email, "Revertir rechazo del acceso")
    assert "Pendiente" in page.text()
    assert state_of(portal, user_id, account.id)["state"] == "Pendiente"  # type: ignore[index]
    [mail] = portal.wait_for_mail(to=email, subject="de nuevo pendiente")
    assert mail.subject == "SECOP II - Solicitud de acceso de nuevo pendiente"
    assert "revirtió el rechazo" in mail.text
    assert account.name in mail.text
    assert _mails_to(portal, email) == ["access_rejected", "access_reverted"]


def test_admin_cancels_an_accepted_user_but_not_themself(portal: PortalProcess) -> None:
    account = seeded_account(portal)
    user_id, email, _ = request_access(portal, account)
    admin = _admin_users_page(portal, account)
    page = _row_action(admin, email, "Aceptar acceso")
    # no button on the admin's own row, and a forged post is refused
    assert f'id="btnCancelAccess{account.admin_id}"' not in page.html
    forged = admin.post({"user_id": str(account.admin_id), "action": "cancelar"})
    assert "No puede cancelar su propio acceso." in forged.text()
    assert state_of(portal, account.admin_id, account.id)["state"] == "Aceptado"  # type: ignore[index]
    page = _row_action(admin, email, "Cancelar acceso")
    assert "Se canceló el acceso" in page.text()
    assert state_of(portal, user_id, account.id)["state"] == "Cancelado"  # type: ignore[index]
    portal.wait_for_mail(to=email, subject="SECOP II - Acceso cancelado")


def test_actions_that_do_not_fit_the_state_are_refused(portal: PortalProcess) -> None:
    account = seeded_account(portal)
    user_id, _, _ = request_access(portal, account)
    admin = _admin_users_page(portal, account)
    page = admin.post({"user_id": str(user_id), "action": "cancelar"})
    assert "La acción no aplica: el acceso del usuario está Pendiente" in page.text()
    page = admin.post({"user_id": "999999", "action": "aceptar"})
    assert "Seleccione un usuario de la cuenta" in page.text()
    assert state_of(portal, user_id, account.id)["state"] == "Pendiente"  # type: ignore[index]


def test_only_admins_manage_users(portal: PortalProcess) -> None:
    account = seeded_account(portal)
    user_id, email, _ = request_access(portal, account)
    admin = _admin_users_page(portal, account)
    _row_action(admin, email, "Aceptar acceso")
    [row] = [u for u in portal.state()["users"] if u["id"] == user_id]
    member = WebClient(portal.url)
    desk = member.login(row["username"])
    assert "/CO1Marketplace/Desktop/Index" in desk.url
    assert "Administración de usuarios" not in desk.text()
    page = member.get("/CO1Marketplace/Users/Admin/Index?mkey=" + _mkey(member))
    assert page.status == 403
    assert "Solo los administradores" in page.text()
