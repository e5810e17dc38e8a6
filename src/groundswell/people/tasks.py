"""Background tasks of the people app. Each is idempotent: running it twice changes nothing."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from groundswell.people.imports import job_run, jobs_resume_stale
from groundswell.people.models import EmailAddress, ImportJob

logger = logging.getLogger(__name__)


@task()
def people_import_run(job_id: int) -> dict:
    """Run a queued CSV import."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status == ImportJob.Status.DONE:
        return {"skipped": True}
    # A job a live run owns is left to it (job_run returns at once); a stale one resumes.
    job = job_run(job)
    return {"status": job.status, "processed": job.processed_rows, "rejected": job.rejected_count}


@task()
def people_imports_resume_stale() -> list[int]:
    """Queue again every import whose worker died mid-file; each resumes from its checkpoint."""
    resumed = jobs_resume_stale()
    if resumed:
        logger.warning("resuming imports whose worker stopped: %s", resumed)
    return resumed


def _resolver():
    """The system's resolver, or the servers in GROUNDSWELL_DNS_SERVERS ("host:port,...")."""
    import dns.resolver

    servers = settings.GROUNDSWELL_DNS_SERVERS
    try:
        resolver = dns.resolver.Resolver(configure=not servers)
    except dns.resolver.NoResolverConfiguration:
        return None
    if servers:
        host, _, port = servers[0].rpartition(":")
        resolver.nameservers = [host or servers[0]]
        resolver.port = int(port) if host and port.isdigit() else 53
    return resolver


@task()
def email_check_mx(address_ids: list[int]) -> dict:
    """Check that each address's domain accepts mail; skip cleanly when DNS is unreachable."""
    import dns.exception
    import dns.resolver

    emails = list(
        EmailAddress.objects.filter(pk__in=address_ids, mx_status=EmailAddress.MxStatus.UNCHECKED)
    )
    resolver = _resolver()
    now = timezone.now()
    verdicts: dict[str, str] = {}
    unreachable = resolver is None
    for email in emails:
        domain = email.address.rpartition("@")[2]
        if unreachable:
            verdicts[domain] = EmailAddress.MxStatus.SKIPPED
        if domain not in verdicts:
            try:
                resolver.resolve(domain, "MX", lifetime=4)
                verdicts[domain] = EmailAddress.MxStatus.OK
            except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                # RFC 5321: a domain without MX records receives mail at its address record.
                try:
                    resolver.resolve(domain, "A", lifetime=4)
                    verdicts[domain] = EmailAddress.MxStatus.OK
                except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
                    verdicts[domain] = EmailAddress.MxStatus.NO_MX
                except dns.exception.DNSException:
                    verdicts[domain] = EmailAddress.MxStatus.SKIPPED
            except (dns.exception.Timeout, dns.resolver.NoNameservers, OSError):
                # No DNS here (an offline laptop, a sandbox): say so and stop asking.
                unreachable = True
                verdicts[domain] = EmailAddress.MxStatus.SKIPPED
            except dns.exception.DNSException:
                verdicts[domain] = EmailAddress.MxStatus.SKIPPED
        email.mx_status = verdicts[domain]
        email.mx_checked_at = now
    EmailAddress.objects.bulk_update(emails, ["mx_status", "mx_checked_at"])
    if unreachable:
        logger.info("MX check skipped: DNS is unreachable")
    return {"checked": len(emails), "dns_unreachable": unreachable}
