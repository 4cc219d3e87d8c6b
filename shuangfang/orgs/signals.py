"""Keep core.authcache honest: any saved or deleted token, person, membership or tree node drops
what the cache holds about it, whoever made the change (services, the admin, sign-in sync).
Changes made with ``QuerySet.update()`` call :mod:`shuangfang.core.authcache` themselves."""

from django.db.models.signals import post_delete, post_save

from shuangfang.core import authcache

from .models import ApiToken, Membership, Organization, Post, User


def token_changed(sender, instance: ApiToken, **kwargs) -> None:
    authcache.forget("token", instance.key_hash)


def forget_user(user_id: int) -> None:
    """A person changed (deactivated, password, name): their memberships and every token of theirs."""
    hashes = list(ApiToken.objects.filter(user_id=user_id).values_list("key_hash", flat=True))
    authcache.forget("token", *hashes)
    authcache.forget("memberships", user_id)
    authcache.forget("user", user_id)


def user_changed(sender, instance: User, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in stamps last_login: nothing the cache holds
    forget_user(instance.pk)


def membership_changed(sender, instance: Membership, **kwargs) -> None:
    authcache.forget("memberships", instance.user_id)


def tree_changed(sender, instance, **kwargs) -> None:
    authcache.tree_changed()


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(token_changed, sender=ApiToken, dispatch_uid="authcache-token")
        signal.connect(user_changed, sender=User, dispatch_uid="authcache-user")
        signal.connect(membership_changed, sender=Membership, dispatch_uid="authcache-membership")
        signal.connect(tree_changed, sender=Organization, dispatch_uid="authcache-organization")
        signal.connect(tree_changed, sender=Post, dispatch_uid="authcache-post")
