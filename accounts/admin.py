"""The platform admin lives on the public host, where tenant tables do not exist:
django-otp's device admins (registered by its apps) would list tables of no schema
there, so they are taken off. A person's two-factor is reset by their company's owner
(accounts.two_factor.reset_for_member), not by platform staff."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
