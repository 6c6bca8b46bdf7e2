# One Xero organisation belongs to one link (SEC-3).

import django.db.models.functions.text
from django.db import migrations, models


def refuse_shared_organisations(apps, schema_editor):
    """Name the links that share an organisation instead of failing on the constraint (nothing is changed)."""
    CompanyLink = apps.get_model("integration", "CompanyLink")
    by_tenant = {}
    for pk, name, tenant in CompanyLink.objects.exclude(xero_tenant_id="").values_list("pk", "name", "xero_tenant_id"):
        by_tenant.setdefault(tenant.lower(), []).append((pk, name))
    shared = {tenant: links for tenant, links in by_tenant.items() if len(links) > 1}
    if not shared:
        return
    lines = [f"  Xero organisation {tenant}: " + ", ".join(f"link #{pk} {name!r}" for pk, name in links)
             for tenant, links in shared.items()]
    keep_others = [pk for links in shared.values() for pk, _ in links[1:]]
    raise RuntimeError(
        "One Xero organisation can belong to one company link only, and these links share one:\n" + "\n".join(lines)
        + "\nKeep each organisation on the link that exports to it and clear it on the others, e.g.:\n"
        "  python manage.py shell -c \"from integration.models import CompanyLink; "
        f"CompanyLink.objects.filter(pk__in={keep_others}).update(xero_tenant_id='', xero_tenant_name='')\"\n"
        "then run migrate again and connect those links to their own organisations. Nothing was changed.")


class Migration(migrations.Migration):

    dependencies = [
        ('integration', '0006_syncrun_heartbeat'),
    ]

    operations = [
        migrations.RunPython(refuse_shared_organisations, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='companylink',
            name='uniq_link_company_tenant',
        ),
        migrations.AddConstraint(
            model_name='companylink',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('xero_tenant_id'), condition=models.Q(('xero_tenant_id', ''), _negated=True), name='uniq_link_xero_tenant'),
        ),
    ]
