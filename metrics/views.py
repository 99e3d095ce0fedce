from django.shortcuts import render

from accounts.roles import member_required

# What a brand-new company should do first, in order; the KPI pages arrive with the
# KPI engine, so for now the home page is this checklist.
GETTING_STARTED = [
    ("customers", "Import your customers", "who they are, where they came from"),
    ("subscriptions", "Import subscriptions", "for MRR, churn, retention and LTV"),
    ("invoices", "Import invoices", "for revenue, orders and gross margin"),
    ("expenses", "Import expenses", "for CAC, burn and runway"),
    ("traffic", "Import web traffic and leads", "for conversion rates"),
    ("tickets", "Import support tickets", "for response and resolution times"),
]


@member_required
def home(request):
    return render(request, "metrics/home.html", {"steps": GETTING_STARTED})
