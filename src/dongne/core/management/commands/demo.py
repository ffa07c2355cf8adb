from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "춘천 ICT기업사회적협동조합 데모 데이터 / Load the Chuncheon cooperative demo data"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2018)

    def handle(self, *args, seed, **options):
        from django.contrib.auth import get_user_model

        from dongne.datahub.demo import load_demo_datasets
        from dongne.insights.demo import load_insights_demo
        from dongne.network.demo import DEMO_PASSWORD, SECRETARIAT_EMAIL, load_demo

        result = load_demo(seed=seed)
        if result["created"]:
            self.stdout.write(f"데모 데이터를 만들었습니다 / demo loaded: {result['summary']}")
        else:
            self.stdout.write("조합 데모 데이터가 이미 있습니다 / cooperative demo data already present")
        secretariat = get_user_model().objects.get(email=SECRETARIAT_EMAIL)
        datasets = load_demo_datasets(secretariat, seed=seed)
        if datasets:
            self.stdout.write(
                f"데이터셋 {len(datasets)}개를 적재했습니다 / datasets ingested: {', '.join(datasets)}"
            )
        insights = load_insights_demo(secretariat, seed=seed)
        if insights:
            self.stdout.write(
                f"지역 인사이트 데이터셋 {len(insights)}개를 적재했습니다 / insights datasets: {', '.join(insights)}"
            )
        from dongne.governance.demo import load_governance_demo
        from dongne.opportunities.demo import load_opportunities_demo
        from dongne.programs.demo import load_programs_demo
        from dongne.spaces.demo import load_spaces_demo

        for load in (load_governance_demo, load_opportunities_demo, load_programs_demo, load_spaces_demo):
            for line in load(secretariat, seed=seed):
                self.stdout.write(line)
        self.stdout.write("로그인 / logins (password: " + DEMO_PASSWORD + ")")
        for role, email in result["logins"]:
            self.stdout.write(f"  {role:<12} {email}")
