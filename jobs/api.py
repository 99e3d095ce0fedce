from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.generics import RetrieveAPIView

from accounts.roles import IsTenantMember
from jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(allow_null=True, help_text="Percent done; null while unknown")

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "progress_done", "progress_total", "error",
                  "result", "created_at", "started_at", "finished_at"]


class JobDetailView(RetrieveAPIView):
    permission_classes = [IsTenantMember]
    serializer_class = JobSerializer
    queryset = Job.objects.all()

    def get_object(self):
        return get_object_or_404(Job, pk=self.kwargs["pk"])
