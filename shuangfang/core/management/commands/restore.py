from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shuangfang.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup archive into this install (an empty one, unless --replace). Run "
        "`manage.py migrate` afterwards when the archive comes from an older version."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--replace", action="store_true", help="replace the data this install has")

    def handle(self, *args, archive, replace, **options):
        try:
            differ = restore_backup(Path(archive), replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if differ:
            for label, (was, now) in sorted(differ.items()):
                self.stderr.write(f"{label}: {was} rows in the backup, {now} now")
            raise CommandError("restored, but the row counts differ from the backup's manifest")
        self.stdout.write(self.style.SUCCESS(f"restored {archive}; row counts match the backup"))
