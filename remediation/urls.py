from django.urls import path

from . import views

app_name = "remediation"

urlpatterns = [
    path("overdue/", views.OverdueActionsView.as_view(), name="overdue_actions"),
    path("training/", views.TrainingRegisterView.as_view(), name="training_register"),
    path(
        "training/attendance/<int:pk>/completion/",
        views.TrainingCompletionView.as_view(),
        name="training_completion",
    ),
    path(
        "<str:reference>/complaint-clock/",
        views.ComplaintExtendView.as_view(),
        name="complaint_extend",
    ),
    path(
        "<str:reference>/customer-information/",
        views.CustomerInformationRequestView.as_view(),
        name="customer_information_request",
    ),
    path(
        "<str:reference>/customer-information/<int:pk>/answer/",
        views.CustomerInformationReceiveView.as_view(),
        name="customer_information_receive",
    ),
    path("<str:reference>/training/", views.TrainingAddView.as_view(), name="training_add"),
]
