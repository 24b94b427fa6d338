"""The personal-data mutations, one per module, merged into one type for the Mutation root."""

from strawberry.tools import merge_types

from resolvers.personal_data.mutations.erase_customer import EraseCustomer, ErasurePayload
from resolvers.personal_data.mutations.reveal_customer_contact import (
    RevealCustomerContact,
    RevealPayload,
    RevealPurpose,
)

# Field order is the SDL's: reveal first, then erase.
PersonalDataMutation = merge_types("PersonalDataMutation", (RevealCustomerContact, EraseCustomer))

__all__ = [
    "EraseCustomer",
    "ErasurePayload",
    "PersonalDataMutation",
    "RevealCustomerContact",
    "RevealPayload",
    "RevealPurpose",
]
