import Foundation
import Logging
import ServiceLifecycle

/// Every `interval`, tells Loki how many records arrived since the last beat — zero included — so a
/// stack without Prometheus can still alert when the detector goes silent (the profiles' LogQL rule
/// on `{job="tfdrift-falco-heartbeat"}`).
public struct HeartbeatService: Service {
    let loki: LokiSink
    let activity: Activity
    let interval: Duration

    public init(loki: LokiSink, activity: Activity, interval: Duration = .seconds(60)) {
        self.loki = loki
        self.activity = activity
        self.interval = interval
    }

    public func run() async {
        var counted = activity.received
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            let received = activity.received
            await loki.heartbeat(eventsReceived: received - counted, at: Date())
            counted = received
        }
    }
}
