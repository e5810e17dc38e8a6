"""Payment processors for our own donation pages: one interface, one module per processor."""

from groundswell.donations.processors.base import (
    ChargeResult,
    PaymentProcessor,
    PaymentStart,
    ProcessorError,
    processor_get,
)

__all__ = ["ChargeResult", "PaymentProcessor", "PaymentStart", "ProcessorError", "processor_get"]
