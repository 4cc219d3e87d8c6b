from shuangfang.core.audit import diff
from shuangfang.core.models import AuditEntry
from shuangfang.orgs import services


def test_diff_keeps_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}


def test_a_service_change_records_who_what_when_and_before_after(world):
    head = world.users["institution_head"]
    services.update_organization(actor=head, org=world.inst_a, name="测试救助管理站", phone="0371-7654321")
    entry = AuditEntry.objects.for_object(world.inst_a).first()
    assert entry is not None
    assert entry.actor == head
    assert entry.action == "org.update"
    assert entry.organization == world.inst_a
    assert entry.changes == {
        "name": ["测试救助站", "测试救助管理站"],
        "phone": ["0371-1234567", "0371-7654321"],
    }
    assert entry.created_at is not None


def test_audit_trail_is_tenant_scoped(world):
    services.update_organization(actor=world.root, org=world.inst_b, name="改名养老院")
    officer_sees = AuditEntry.objects.for_user(world.users["safety_officer"], "audit.view")
    assert not officer_sees.filter(organization=world.inst_b).exists()
    assert (
        AuditEntry.objects.for_user(world.users["bureau_supervisor"], "audit.view")
        .filter(organization=world.inst_b)
        .exists()
    )


def test_audit_page_per_institution_lists_changes(world, login):
    services.update_organization(actor=world.root, org=world.inst_a, phone="0371-1111111")
    response = login(world.users["safety_officer"]).get(f"/orgs/{world.inst_a.uuid}/audit/")
    assert response.status_code == 200
    assert "0371-1111111" in response.content.decode()
