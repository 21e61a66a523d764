# classes.cpp for Locust: the same classes, weights, tasks and tag, so
# --show-task-ratio(-json) can be compared with Locust's own output.
from locust import HttpUser, TaskSet, constant, tag, task


class Shopper(HttpUser):
    weight = 3
    wait_time = constant(0.1)

    @task(2)
    def home(self):
        self.client.get("/")

    @task(2)
    class Browse(TaskSet):
        @task(4)
        def item(self):
            self.client.get("/item")

        @task(1)
        def leave(self):
            self.interrupt()

    @tag("buy")
    @task(1)
    def checkout(self):
        self.client.get("/checkout")


class Admin(HttpUser):
    weight = 1
    wait_time = constant(0.1)

    @task(1)
    def report(self):
        self.client.get("/admin")
