from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shuangfang.core.backup import BackupError, make_backup, prune_backups


class Command(BaseCommand):
    help = "Write one dated backup archive (database, media, secret files) with its checksum."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.BACKUP_DIR), help="folder (default BACKUP_DIR)")
        parser.add_argument("--keep", type=int, default=None, help="then keep only the N newest archives")

    def handle(self, *args, output, keep, **options):
        folder = Path(output)
        try:
            made = make_backup(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(made.counts.values())
        self.stdout.write(f"{made.archive} ({made.archive.stat().st_size:,} bytes, {rows:,} rows)")
        self.stdout.write(f"sha256 {made.checksum}")
        if keep is not None:
            for path in prune_backups(folder, keep):
                self.stdout.write(f"removed {path.name}")
