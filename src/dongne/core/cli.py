"""The ``dongne`` command: the operations a person runs by hand.

Help texts are bilingual (Korean first) because the command is read by the secretariat's
part-time IT person as much as by developers.
"""

import argparse
import os
import sys

COMMANDS = {
    "serve": "플랫폼 서버 실행 (마이그레이션 포함) / Run the web server (migrates first)",
    "demo": "춘천 데모 데이터 불러오기 / Load the Chuncheon demo data",
    "migrate": "데이터베이스 스키마 갱신 / Apply database migrations",
    "create-secretariat": "사무국 계정 만들기 / Create a secretariat account",
    "ingest": "파일을 데이터셋 새 버전으로 적재 / Ingest a file as a new dataset version",
    "pull": "공공데이터 API에서 데이터셋 갱신 / Pull a dataset from a public-data API",
    "import-members": "조합원 명부 가져오기 (CSV/XLSX) / Import the member register",
    "export-members": "조합원 명부 내보내기 / Export the member register",
    "backup": "데이터베이스와 데이터 폴더 백업 / Back up the database and the data folder",
    "restore": "백업을 빈 곳에 복원 / Restore a backup into an empty place",
    "feeds": "지원사업 공고 피드 가져오기 (기업마당, K-Startup) / Pull funding-call feeds",
    "manage": "Django 관리 명령 실행 / Run any Django management command",
    "check": "설정 점검: 잘못된 설정을 한국어·영어로 알려줌 / Check the configuration and say what to fix",
    "governance": "협동조합 운영 도구 (verify-log: 의결·투표 기록 검증) / Governance tools (verify-log)",
}


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dongne.config.settings")
    import django

    django.setup()


def build_parser():
    parser = argparse.ArgumentParser(
        prog="dongne",
        description="동네 — 지역 ICT 사회적협동조합 통합 플랫폼 / Dongne — regional platform of an ICT social cooperative",
        epilog="설정은 환경 변수로 합니다 (docs/configuration.md) / Settings come from environment variables.",
    )
    sub = parser.add_subparsers(dest="command", metavar="<명령 command>")

    p = sub.add_parser("serve", help=COMMANDS["serve"], description=COMMANDS["serve"])
    p.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="주소 / bind address (HOST)")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")), help="포트 / port (PORT)")
    p.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("DONGNE_WORKERS", "2")),
        help="gunicorn 워커 수 / gunicorn workers (DONGNE_WORKERS)",
    )
    p.add_argument("--dev", action="store_true", help="개발 서버(자동 재시작) / Django development server")

    p = sub.add_parser("demo", help=COMMANDS["demo"], description=COMMANDS["demo"])
    p.add_argument("--seed", type=int, default=2018, help="난수 시드 / random seed")

    sub.add_parser("migrate", help=COMMANDS["migrate"], description=COMMANDS["migrate"])

    p = sub.add_parser(
        "create-secretariat", help=COMMANDS["create-secretariat"], description=COMMANDS["create-secretariat"]
    )
    p.add_argument("--email", required=True, help="이메일 / e-mail (login)")
    p.add_argument("--name", required=True, help="이름 / name")
    p.add_argument("--password", help="비밀번호 (없으면 입력 요청) / password (prompted when absent)")

    p = sub.add_parser("ingest", help=COMMANDS["ingest"], description=COMMANDS["ingest"])
    p.add_argument("path", help="CSV/TSV, XLSX, JSON, JSON Lines 또는 Parquet 파일 / data file")
    p.add_argument(
        "--dataset", required=True, help="데이터셋 식별자 (없으면 만듦) / dataset slug (created if new)"
    )
    p.add_argument("--title", help="새 데이터셋의 제목 / title of a new dataset")
    p.add_argument("--publisher", help="제공 기관 이름 / publisher organisation name")
    p.add_argument("--note", default="", help="변경 메모 / change note")

    p = sub.add_parser("pull", help=COMMANDS["pull"], description=COMMANDS["pull"])
    p.add_argument("source", choices=["tourapi"], help="API 출처 / API source")
    p.add_argument("--dataset", required=True, help="데이터셋 식별자 (없으면 만듦) / dataset slug")
    p.add_argument("--operation", default="areaBasedList2", help="TourAPI 오퍼레이션 / operation")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="API 파라미터 (예: areaCode=32) / API parameter",
    )
    p.add_argument("--title", help="새 데이터셋의 제목 / title of a new dataset")

    p = sub.add_parser(
        "import-members", help=COMMANDS["import-members"], description=COMMANDS["import-members"]
    )
    p.add_argument("file", help="CSV 또는 XLSX 파일 / CSV or XLSX file")
    p.add_argument(
        "--commit",
        action="store_true",
        help="실제로 가져오기 (없으면 점검만) / really import (default: dry run)",
    )
    p.add_argument("--as", dest="actor", help="실행하는 사무국 계정 이메일 / secretariat e-mail to act as")

    p = sub.add_parser(
        "export-members", help=COMMANDS["export-members"], description=COMMANDS["export-members"]
    )
    p.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="형식 / format")
    p.add_argument("-o", "--output", required=True, help="저장할 파일 / output file")

    p = sub.add_parser("backup", help=COMMANDS["backup"], description=COMMANDS["backup"])
    p.add_argument(
        "destination", nargs="?", default=".", help="백업 파일 또는 폴더 / backup file or folder (default: .)"
    )
    p = sub.add_parser("restore", help=COMMANDS["restore"], description=COMMANDS["restore"])
    p.add_argument("source", help="백업 파일 (.tar) / backup file")

    p = sub.add_parser("feeds", help=COMMANDS["feeds"], description=COMMANDS["feeds"])
    p.add_argument("action", choices=["pull"], help="동작 / action")
    p.add_argument("feed", choices=["bizinfo", "kstartup"], help="피드 / feed")

    p = sub.add_parser("governance", help=COMMANDS["governance"], description=COMMANDS["governance"])
    p.add_argument(
        "action",
        choices=["verify-log"],
        help="verify-log: 투표·의결 해시 체인 검증 / check the hash chain of votes and resolutions",
    )

    sub.add_parser("check", help=COMMANDS["check"], description=COMMANDS["check"])

    p = sub.add_parser("manage", help=COMMANDS["manage"], description=COMMANDS["manage"])
    p.add_argument("args", nargs=argparse.REMAINDER, help="Django 명령과 인자 / command and arguments")
    return parser


def _actor(email):
    from django.contrib.auth import get_user_model

    from .choices import Role

    User = get_user_model()
    qs = User.objects.filter(is_active=True)
    user = (
        qs.filter(email__iexact=email).first()
        if email
        else (qs.filter(role=Role.SECRETARIAT).order_by("pk").first() or qs.filter(is_superuser=True).first())
    )
    if user is None:
        raise SystemExit(
            "사무국 계정이 없습니다. 먼저 'dongne create-secretariat' / No secretariat account found."
        )
    return user


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    if args.command == "check":
        return _check()
    _setup()
    from django.core.management import call_command

    if args.command == "migrate":
        call_command("migrate", interactive=False)
    elif args.command == "demo":
        call_command("migrate", interactive=False, verbosity=0)
        call_command("demo", seed=args.seed)
    elif args.command == "serve":
        return _serve(args)
    elif args.command == "create-secretariat":
        return _create_secretariat(args)
    elif args.command == "import-members":
        return _import(args)
    elif args.command == "ingest":
        return _ingest(args)
    elif args.command == "pull":
        return _pull(args)
    elif args.command == "export-members":
        from dongne.network import imports, selectors

        organisations = selectors.export_queryset(_actor(None))
        data = (
            imports.export_xlsx(organisations) if args.format == "xlsx" else imports.export_csv(organisations)
        )
        with open(args.output, "wb") as fh:
            fh.write(data)
        print(
            f"{organisations.count()}개 기관을 {args.output}에 저장했습니다 / saved {organisations.count()} organisations"
        )
    elif args.command in ("backup", "restore"):
        return _backup_or_restore(args)
    elif args.command == "feeds":
        return _feeds(args)
    elif args.command == "governance":
        return _governance(args)
    elif args.command == "manage":
        from django.core.management import execute_from_command_line

        execute_from_command_line(["dongne manage", *args.args])
    return 0


def _check():
    """``dongne check``: the configuration is loaded first; failing to load it at all is the first finding."""
    try:
        _setup()
    except Exception as exc:
        hint = "pip install 'dongne[redis]'" if "redis" in str(exc) else "docs/configuration.md"
        print(
            f"✗ 오류/ERROR  설정을 불러올 수 없습니다 / The configuration cannot be loaded: {exc}\n    → {hint}"
        )
        return 1
    from . import doctor

    return doctor.run(sys.stdout)


def _backup_or_restore(args):
    from . import backup

    try:
        if args.command == "backup":
            path, manifest = backup.create_backup(args.destination)
            print(
                f"백업했습니다 / backed up: {path} — {manifest['database']}, "
                f"{len(manifest['versions'])} dataset versions, {len(manifest['files'])} files"
            )
            for missing in manifest["missing_versions"]:
                print(f"  경고 / warning: {missing} is recorded but missing from the lake", file=sys.stderr)
        else:
            manifest = backup.restore_backup(args.source)
            print(
                f"복원했습니다 / restored: {args.source} ({manifest['created_at']}) — "
                f"{len(manifest['versions'])} dataset versions, {len(manifest['files'])} files"
            )
    except backup.BackupError as exc:
        print(f"실패 / failed: {exc}", file=sys.stderr)
        return 2
    return 0


def _governance(args):
    from dongne.governance import services

    result = services.verify_log(actor=None)
    if result.ok:
        print(
            f"기록 {result.checked}건의 해시 체인이 온전합니다 / hash chain intact: {result.checked} entries"
        )
        return 0
    print(f"변조 발견 / tampering detected: #{result.broken_seq} — {result.reason}", file=sys.stderr)
    return 1


def _serve(args):
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    print(f"동네 서버 / Dongne server: http://{args.host}:{args.port}/", flush=True)
    if args.dev or settings.DEBUG:
        call_command("runserver", f"{args.host}:{args.port}", use_reloader=args.dev)
        return 0
    if not settings.HUEY.get("immediate"):
        # The job queue's consumer (ingests, scheduled pulls, the lake sweep) runs beside the web workers.
        import subprocess

        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dongne.config.settings"}
        subprocess.Popen([sys.executable, "-m", "django", "run_huey", "--workers", "1"], env=env)
    argv = [
        "gunicorn",
        "dongne.config.wsgi:application",
        "--bind",
        f"{args.host}:{args.port}",
        "--workers",
        str(args.workers),
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])


def _create_secretariat(args):
    import getpass

    from . import services
    from .choices import Role
    from .errors import DongneError

    password = args.password or getpass.getpass("비밀번호 / password: ")
    try:
        user = services.create_user(
            actor=None, email=args.email, name=args.name, role=Role.SECRETARIAT, password=password
        )
    except DongneError as exc:
        print(exc.render(), file=sys.stderr)
        for messages in (exc.errors or {}).values():
            for message in messages:
                print(f"  {message}", file=sys.stderr)
        return 1
    print(f"사무국 계정을 만들었습니다 / secretariat account created: {user.email}")
    return 0


def _dataset_for(args, **extra):
    """The dataset named by --dataset, created with --title/--publisher when it does not exist yet."""
    from dongne.datahub import services
    from dongne.datahub.models import Dataset
    from dongne.network.models import Organisation

    dataset = Dataset.objects.filter(slug=args.dataset).first()
    if dataset is None:
        publisher = None
        if getattr(args, "publisher", None):
            publisher = Organisation.objects.filter(name=args.publisher).first()
            if publisher is None:
                raise SystemExit(f"기관을 찾을 수 없습니다 / no organisation named {args.publisher!r}")
        dataset = services.create_dataset(
            actor=_actor(None),
            data={"slug": args.dataset, "title": args.title or args.dataset, "publisher": publisher, **extra},
        )
        print(f"데이터셋을 만들었습니다 / dataset created: {dataset.slug}")
    return dataset


def _print_version(job):
    from dongne.datahub.choices import JobStatus

    if job.status != JobStatus.SUCCEEDED:
        error = job.error or {}
        where = " ".join(f"{k}={error[k]}" for k in ("row", "column", "param") if error.get(k) is not None)
        print(
            f"\n실패 / failed: {error.get('message')} {where}\n  {error.get('detail', '')}", file=sys.stderr
        )
        return 2
    version = job.version
    print(f"\n버전 v{version.number}: {version.rows:,}행 / rows")
    for column in version.columns:
        print(f"  {column['name']:<24} {column['type']}")
    return 0


def _ingest(args):
    """Ingest in this process (not the queue), printing progress as it goes."""
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    from dongne.datahub import services
    from dongne.datahub.models import IngestJob

    from .errors import DongneError

    path = Path(args.path)
    if not path.is_file():
        print(f"파일이 없습니다 / no such file: {path}", file=sys.stderr)
        return 2
    try:
        dataset = _dataset_for(args)
        actor = _actor(None)
        # The service copies the upload into the data folder; a file object avoids reading it into memory.
        with open(path, "rb") as fh:
            upload = SimpleUploadedFile(path.name, b"")
            upload.file, upload.size = fh, path.stat().st_size
            job = services.start_ingest(
                actor=actor, dataset_id=dataset.pk, uploaded_file=upload, note=args.note
            )
    except DongneError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    last = [-1]

    def show(done, total, rows):
        percent = int(done * 100 / total) if total else 0
        if percent != last[0]:
            last[0] = percent
            print(f"\r{percent:3d}%  {rows:,}행 / rows", end="", flush=True)

    job = services.run_ingest_job(actor=actor, job_id=job.pk, progress=show)
    return _print_version(IngestJob.objects.select_related("version").get(pk=job.pk))


def _pull(args):
    from dongne.datahub import services
    from dongne.datahub.models import IngestJob

    from .errors import DongneError

    params = dict(item.split("=", 1) for item in args.param if "=" in item)
    try:
        dataset = _dataset_for(
            args, source_kind="tourapi", source_config={"operation": args.operation, **params}
        )
        job = services.pull_dataset(actor=_actor(None), dataset_id=dataset.pk)
    except DongneError as exc:
        print(exc.render(), file=sys.stderr)
        return 2
    return _print_version(IngestJob.objects.select_related("version").get(pk=job.pk))


def _import(args):
    from dongne.network import services

    from .errors import DongneError

    with open(args.file, "rb") as fh:
        data = fh.read()
    try:
        report = services.import_members(
            actor=_actor(args.actor), data=data, filename=args.file, dry_run=not args.commit
        )
    except DongneError as exc:
        print(exc.render(), file=sys.stderr)
        for row in exc.errors if isinstance(exc.errors, list) else []:
            print(f"  {row['row']}행 / row {row['row']} · {row['column']}: {row['message']}", file=sys.stderr)
        return 2
    if report["dry_run"]:
        print(
            f"점검 완료: {report['rows']}행 모두 유효 ({report['encoding']}). '--commit'으로 가져오세요. "
            f"/ dry run: all {report['rows']} rows valid."
        )
    else:
        print(f"{report['created']}개 기관을 가져왔습니다 / imported {report['created']} organisations.")
    return 0


def _feeds(args):
    """Pull one feed now and print the per-record report (opportunities)."""
    from dongne.opportunities import services

    run = services.pull_feed(actor=_actor(None), feed=args.feed)
    if run.error:
        print(f"실패 / failed: {run.error}", file=sys.stderr)
        return 2
    for entry in run.report:
        line = f"{entry['row']:>4} {entry['outcome']:<9} {entry.get('id', '')} {entry.get('title', '')}"
        if entry.get("reason"):
            line += f" — {entry['reason']}"
        print(line)
        for warning in entry.get("warnings") or []:
            print(f"       ! {warning}")
    counts = " ".join(f"{k}={v}" for k, v in run.counts.items())
    print(f"{args.feed}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
