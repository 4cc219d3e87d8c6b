"""Re-encrypt every stored provider secret with the newest FIELD_ENCRYPTION_KEYS key."""

from django.core.management.base import BaseCommand, CommandError

from shuangfang.notifications.providers import rotate_secrets
from shuangfang.notifications.sealing import new_key


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored provider secret with the first (newest) key of FIELD_ENCRYPTION_KEYS; "
        "afterwards the older keys can be dropped. --new-key prints a fresh key to put in front."
    )

    def add_arguments(self, parser):
        parser.add_argument("--new-key", action="store_true", help="print a new key and stop")

    def handle(self, *args, **options):
        if options["new_key"]:
            self.stdout.write(new_key())
            return
        rotated, unreadable = rotate_secrets()
        self.stdout.write(f"re-encrypted {rotated} provider secret(s) with the newest key")
        if unreadable:
            names = ", ".join(f"{p.organization} / {p.name} ({p.uuid})" for p in unreadable)
            raise CommandError(
                f"{len(unreadable)} stored secret(s) open with none of the configured keys and were left "
                f"as they are (re-enter them, or put the old key back and run again): {names}"
            )
