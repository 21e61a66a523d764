# Locust's fastest user, for the side-by-side benchmark.
from locust import FastHttpUser, task


class Hello(FastHttpUser):
    @task
    def hello(self):
        self.client.get("/")
