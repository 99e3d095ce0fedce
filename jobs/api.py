from django.shortcuts import get_object_or_404
from rest_framework import serializers
from rest_framework.generics import RetrieveAPIView

from accounts.roles import IsTenantMember
from jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.FloatField(allow_null=True, help_text="Percent done; null while unknown")
    download_url = serializers.SerializerMethodField(
        help_text="Where the finished job's file is (a company export's ZIP); null for other jobs and "
                  "until it has succeeded")

    class Meta:
        model = Job
        fields = ["id", "kind", "status", "progress", "progress_done", "progress_total", "error",
                  "result", "download_url", "created_at", "started_at", "finished_at"]

    def get_download_url(self, job: Job) -> str | None:
        path = (job.result or {}).get("download_url") if job.status == Job.Status.SUCCEEDED else None
        request = self.context.get("request")
        return request.build_absolute_uri(path) if path and request is not None else path


class JobDetailView(RetrieveAPIView):
    permission_classes = [IsTenantMember]
    serializer_class = JobSerializer
    queryset = Job.objects.all()

    def get_object(self):
        return get_object_or_404(Job, pk=self.kwargs["pk"])
