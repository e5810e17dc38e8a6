"""Background tasks of the people app. Each is idempotent: running it twice changes nothing."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from groundswell.people.models import EmailAddress, ImportJob

logger = logging.getLogger(__name__)


@task()
def people_import_run(job_id: int) -> dict:
    """Run a queued CSV import."""
    from groundswell.people.imports import job_run

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status == ImportJob.Status.DONE:
        return {"skipped": True}
    job = job_run(job)
    return {"status": job.status, "processed": job.processed_rows, "rejected": job.rejected_count}


def _dns_reachable(resolver) -> bool:
    import dns.exception
    import dns.resolver

    try:
        resolver.resolve("gmail.com", "MX", lifetime=3)
        return True
    except (
        dns.exception.Timeout,
        dns.resolver.NoNameservers,
        dns.resolver.NoResolverConfiguration,
        OSError,
    ):
        return False
    except dns.exception.DNSException:
        return True


@task()
def email_check_mx(address_ids: list[int]) -> dict:
    """Check that each address's domain accepts mail; skip cleanly when DNS is unreachable."""
    import dns.exception
    import dns.resolver

    try:
        resolver = dns.resolver.Resolver()
    except dns.resolver.NoResolverConfiguration:
        resolver = None
    emails = list(
        EmailAddress.objects.filter(pk__in=address_ids, mx_status=EmailAddress.MxStatus.UNCHECKED)
    )
    now = timezone.now()
    if resolver is None or not _dns_reachable(resolver):
        EmailAddress.objects.filter(pk__in=[e.pk for e in emails]).update(
            mx_status=EmailAddress.MxStatus.SKIPPED, mx_checked_at=now
        )
        logger.info("MX check skipped for %d addresses: DNS is unreachable", len(emails))
        return {"skipped": len(emails)}
    verdicts: dict[str, str] = {}
    for email in emails:
        domain = email.address.rpartition("@")[2]
        if domain not in verdicts:
            try:
                resolver.resolve(domain, "MX", lifetime=5)
                verdicts[domain] = EmailAddress.MxStatus.OK
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                # RFC 5321: with no MX record, mail goes to the domain's A record.
                try:
                    resolver.resolve(domain, "A", lifetime=5)
                    verdicts[domain] = EmailAddress.MxStatus.OK
                except dns.exception.DNSException:
                    verdicts[domain] = EmailAddress.MxStatus.NO_MX
            except dns.exception.DNSException:
                verdicts[domain] = EmailAddress.MxStatus.SKIPPED
        email.mx_status = verdicts[domain]
        email.mx_checked_at = now
    EmailAddress.objects.bulk_update(emails, ["mx_status", "mx_checked_at"])
    return {"checked": len(emails)}
