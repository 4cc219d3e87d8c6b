from shuangfang.core.matrix import Case

MANAGERS = frozenset({"admin", "institution_head"})


def _sub(w):
    from shuangfang.webhooks.models import Subscription

    sub = Subscription.objects.filter(organization=w.inst_a).first()
    if sub is None:
        sub = Subscription.objects.create(
            organization=w.inst_a, url="https://example.org/hook", kinds=["hazard.reported"],
            secret="x", created_by=w.users["institution_head"],
        )  # fmt: skip
    return {"uuid": sub.uuid}


CASES = [
    Case("webhooks:mem", frozenset({"admin"})),  # the city bureau's administrator: the top of the tree
    Case("webhooks:list", MANAGERS),
    Case("webhooks:detail", MANAGERS, kwargs=_sub),
    Case("webhooks:switch", MANAGERS, kwargs=_sub, method="post", data=lambda w: {"on": "1"}),
]
