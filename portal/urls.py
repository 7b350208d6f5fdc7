from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("report/", views.ReportView.as_view(), name="report"),
    path("receipt/", views.ReceiptView.as_view(), name="receipt"),
    path("mailbox/", views.MailboxOpenView.as_view(), name="mailbox_open"),
    path("mailbox/case/", views.MailboxView.as_view(), name="mailbox"),
    path("mailbox/close/", views.MailboxCloseView.as_view(), name="mailbox_close"),
]
