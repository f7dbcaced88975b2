"""The one table of the kernel: counters of the public rate limits (common.ratelimit)."""

from django.db import models


class RateCounter(models.Model):
    """Attempts of one client in one scope within a fixed window. In the database, not a
    process's memory: with several server processes (gunicorn workers, several hosts) a
    guesser's attempts spread over all of them and must still add up."""

    key = models.CharField("计数键", max_length=200, unique=True)
    count = models.PositiveIntegerField("次数", default=0)
    window_ends_at = models.DateTimeField("窗口结束时间", db_index=True)

    class Meta:
        verbose_name = "访问频率计数"
        verbose_name_plural = "访问频率计数"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
