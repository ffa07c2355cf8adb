from django.core.management.base import BaseCommand

from dongne.network.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "춘천 ICT기업사회적협동조합 데모 데이터 / Load the Chuncheon cooperative demo data"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2018)

    def handle(self, *args, seed, **options):
        result = load_demo(seed=seed)
        if result["created"]:
            self.stdout.write(f"데모 데이터를 만들었습니다 / demo loaded: {result['summary']}")
        else:
            self.stdout.write("데모 데이터가 이미 있습니다 / demo data already present")
        self.stdout.write("로그인 / logins (password: " + DEMO_PASSWORD + ")")
        for role, email in result["logins"]:
            self.stdout.write(f"  {role:<12} {email}")
