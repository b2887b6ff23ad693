"""`thanglong consumers`: the declared MQTT consumers, their counters and the messages set aside."""

from __future__ import annotations

import typer

from thanglong.cli.common import console, fail, json_option, open_platform, print_json
from thanglong.core import consumer_store, mqtt
from thanglong.core.consumers import ConsumerDeclarationError, bind_all, subscription_topic

app = typer.Typer(help="Bộ tiêu thụ MQTT / MQTT consumers.", no_args_is_help=True)


@app.command("list")
def list_consumers(json_out: bool = json_option()) -> None:
    """Liệt kê bộ tiêu thụ đã khai báo và chủ đề đăng ký / list the declared consumers and their topics."""
    platform = open_platform(migrate=False)
    try:
        consumers = bind_all(platform.manifests)
    except ConsumerDeclarationError as exc:
        fail(str(exc), 1)
    shared = mqtt.speaks_mqtt5(platform.settings)
    rows = [
        {
            "consumer": c.key,
            "domain": c.domain,
            "topic": c.spec.topic,
            "subscription": subscription_topic(c.spec, shared=shared),
            "qos": c.spec.qos,
            "group": c.spec.group,
            "schema": c.spec.schema,
            "handler": c.spec.handler,
            "max_in_flight": c.spec.max_in_flight,
        }
        for c in consumers
    ]
    broker = {
        "url": mqtt.redact_url(platform.settings.effective_mqtt_url),
        "embedded": platform.settings.uses_embedded_broker,
        "mqtt5": shared,
    }
    if json_out:
        print_json({"broker": broker, "consumers": rows})
        return
    console.print(f"broker: {broker['url']} ({'MQTT 5' if shared else 'MQTT 3.1.1'})", highlight=False)
    if not rows:
        console.print("không có bộ tiêu thụ nào / no consumers declared")
    for row in rows:
        console.print(
            f"{row['consumer']}: {row['subscription']} qos={row['qos']} "
            f"max_in_flight={row['max_in_flight']} -> {row['handler']}",
            highlight=False,
        )


@app.command("stats")
def stats(json_out: bool = json_option()) -> None:
    """Xem số đếm của từng bộ tiêu thụ trên mọi worker / print each consumer's counters across workers.

    Đã xử lý, trùng, bị từ chối, lỗi... / handled, duplicates, rejected, failed, ...
    """
    platform = open_platform()
    with platform.session_factory() as session:
        rows = consumer_store.stats(session)
    if json_out:
        print_json({"consumers": rows})
        return
    if not rows:
        console.print("chưa có số liệu / no counts yet")
    for row in rows:
        console.print(
            f"{row['consumer']}: handled={row['handled']} duplicates={row['duplicates']} "
            f"rejected={row['rejected']} failed={row['failed']} expired={row['expired']} "
            f"redelivered={row['redelivered']} set_aside={row['set_aside']} workers={len(row['workers'])}",
            highlight=False,
        )


@app.command("rejected")
def rejected(
    consumer: str | None = typer.Option(
        None, "--consumer", help="Chỉ bộ tiêu thụ này, dạng domain.name / only this consumer, as domain.name."
    ),
    limit: int = typer.Option(
        50, "--limit", min=1, max=1000, help="Số thông điệp tối đa / maximum number of messages."
    ),
    json_out: bool = json_option(),
) -> None:
    """Xem các thông điệp bị để riêng gần nhất / show the newest messages set aside.

    Sai lược đồ, hoặc bộ xử lý lỗi mãi / schema failures, or handlers that kept failing.
    """
    platform = open_platform()
    with platform.session_factory() as session:
        rows = consumer_store.rejected(session, consumer=consumer, limit=limit)
    if json_out:
        print_json({"rejected": rows})
        return
    for row in rows:
        console.print(
            f"{row['at']} {row['consumer']} [{row['reason']}] {row['topic']}: {row['error'][:200]}",
            highlight=False,
        )
