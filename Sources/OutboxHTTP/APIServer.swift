import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Metrics
import NIOCore
public import OutboxCore
public import OutboxDaemon
public import OutboxStore
import Prometheus
import Synchronization

/// The HTTP listener of `outbox serve` (`[http] listen`): the `/v1` API, `/metrics`,
/// (HTTPS with `[http] tls-certificate` and `tls-key`), the OpenAPI document, one-click unsubscribe (`/u/{token}`) and the status page (`/`),
/// on the daemon's store: its ``OutboxDatabase``, or a PostgreSQL outbox that several nodes share
/// (every node can serve the API; each one's event stream sees the events of all). It only reads and
/// enqueues as the CLI does; the delivery engine does not know it exists.
///
/// ``start()`` returns once the address is bound (or throws why it could not be);
/// ``stop()`` closes the listener and ends the event streams.
public final class APIServer: Sendable {
    private let store: any APIStore
    private let events: EventFeed.Source
    private let settings: HTTPSettings
    private let limits: IntakeLimits
    private let metrics: OutboxMetrics
    private let running = Mutex<(task: Task<Void, Never>, feed: EventFeed)?>(nil)
    private let logger = Logger(label: "outbox.http")

    /// - Parameters:
    ///   - settings: `[http]`; its `host` must be set.
    ///   - engineReadings: the running engine's connection pool and commit figures, for `/metrics` (nil while none runs).
    ///   - engineSummary: the running engine's tallies, for `/metrics` (nil while none runs).
    public convenience init(database: OutboxDatabase, settings: HTTPSettings, limits: IntakeLimits = IntakeLimits(),
                            engineReadings: @escaping @Sendable () -> EngineReadings? = { nil },
                            engineSummary: @escaping @Sendable () -> DeliverySummary?) {
        self.init(store: OffloadedDatabase(database: database), events: .local(database), settings: settings, limits: limits,
                  engineReadings: engineReadings, engineSummary: engineSummary)
    }

    /// The listener on a store several nodes share (PostgreSQL): its event stream and
    /// `/metrics` counters follow the events every node records.
    /// - Parameters: as ``init(database:settings:limits:engineReadings:engineSummary:)``.
    public convenience init(sharedStore store: any APIStore, settings: HTTPSettings, limits: IntakeLimits = IntakeLimits(),
                            engineReadings: @escaping @Sendable () -> EngineReadings? = { nil },
                            engineSummary: @escaping @Sendable () -> DeliverySummary?) {
        self.init(store: store, events: .shared(store), settings: settings, limits: limits, engineReadings: engineReadings,
                  engineSummary: engineSummary)
    }

    private init(store: any APIStore, events: EventFeed.Source, settings: HTTPSettings, limits: IntakeLimits,
                 engineReadings: @escaping @Sendable () -> EngineReadings?, engineSummary: @escaping @Sendable () -> DeliverySummary?) {
        self.store = store
        self.events = events
        self.settings = settings
        self.limits = limits
        self.metrics = OutboxMetrics(store: store, engineSummary: engineSummary, engineReadings: engineReadings)
    }

    /// Binds `[http] listen` and serves; returns the port bound (the one configured, or the
    /// one the system chose for port 0). Throws ``APIServerError`` when it cannot listen.
    @discardableResult
    public func start() throws(APIServerError) -> Int {
        let host = settings.host ?? "127.0.0.1"
        let address = host.contains(":") ? "[\(host)]:\(settings.port)" : "\(host):\(settings.port)"
        let server = try Self.serverBuilder(settings)
        let feed: EventFeed
        do {
            let metrics = self.metrics
            feed = try EventFeed(source: events) { metrics.observe($0, enqueuedAt: $1) }
        } catch {
            throw APIServerError(.cannotListen, "the HTTP API cannot read the event log: \(error)")
        }
        let outcome = Mutex<Result<Int, any Error>?>(nil)
        let settled = DispatchSemaphore(value: 0)
        let settle: @Sendable (Result<Int, any Error>) -> Void = { result in
            let first = outcome.withLock { value in
                guard value == nil else { return false }
                value = result
                return true
            }
            if first { settled.signal() }
        }
        let app = Application(
            router: router(feed: feed),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(host, port: settings.port), serverName: "outbox"),
            onServerRunning: { channel in settle(.success(channel.localAddress?.port ?? 0)) },
            logger: logger)
        let task = Task {
            do {
                try await feed.findEnd()
                try await app.run()
            } catch { settle(.failure(error)) }
            settle(.failure(APIServerError(.cannotListen, "the listener ended")))
        }
        guard settled.wait(timeout: .now() + 30) == .success else {
            task.cancel()
            throw APIServerError(.cannotListen, "the HTTP API did not start listening on \(address) within 30 s")
        }
        switch outcome.withLock({ $0 })! {
        case .success(let port):
            feed.start()
            running.withLock { $0 = (task, feed) }
            logger.notice("HTTP API listening on \(host.contains(":") ? "[\(host)]" : host):\(port)\(settings.tlsCertificate == nil ? "" : " (HTTPS)")")
            return port
        case .failure(let error):
            task.cancel()
            // NIOSSL pairs the key with the certificate only when the listener starts.
            if let certificate = settings.tlsCertificate, let key = settings.tlsKey, "\(error)".contains("failedToLoadPrivateKey") {
                throw APIServerError(.badCertificate, "[http] tls-key: the key in \(key) does not belong to the certificate in \(certificate)")
            }
            throw APIServerError(.cannotListen, "the HTTP API cannot listen on \(address) ([http] listen): \(Self.describe(error))")
        }
    }

    /// Closes the listener and every event stream; safe to call more than once.
    public func stop() {
        guard let server = running.withLock({ value in defer { value = nil }; return value }) else { return }
        server.feed.stop()
        server.task.cancel()
        let done = DispatchSemaphore(value: 0)
        Task { _ = await server.task.value; done.signal() }
        _ = done.wait(timeout: .now() + 10)
    }

    /// swift-metrics is bootstrapped once per process, into the first server's registry, so
    /// Hummingbird's request metrics (`hb_requests_total`, `hb_request_duration_seconds`) join ours.
    private static let metricsBootstrapped = Atomic<Bool>(false)

    private func router(feed: EventFeed) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        if !Self.metricsBootstrapped.exchange(true, ordering: .relaxed) {
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: metrics.registry))
        }
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: StoreReachabilityMiddleware(store: store))
        router.add(middleware: TokenMiddleware(store: store, open: [OpenAPIDocument.path, StatusRoutes.loginPath, StatusRoutes.logoutPath],
                                               openPrefixes: [UnsubscribeRoutes.pathPrefix], statusPageWithoutToken: settings.statusPageWithoutToken))
        router.get(RouterPath(stringLiteral: OpenAPIDocument.path)) { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("metrics") { [metrics] _, context in
            guard context.owners == nil else {
                throw APIError(status: .forbidden, code: "forbidden", message: "/metrics needs a token that is not limited to owners")
            }
            let bytes = await metrics.scrape()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        UnsubscribeRoutes(store: store).add(to: router)
        StatusRoutes(store: store, secureCookie: settings.tlsCertificate != nil).add(to: router)
        let v1 = router.group("v1")
        APIRoutes(store: store, maxBodyBytes: settings.maxBodyBytes, limits: limits).add(to: v1)
        EventRoutes(store: store, feed: feed).add(to: v1)
        return router
    }

    /// Plain HTTP/1.1, or HTTPS with `[http] tls-certificate` and `tls-key`, read and
    /// checked (readable, PEM) before anything listens; a key that does not belong to the
    /// certificate is refused when the listener starts (see ``start()``).
    static func serverBuilder(_ settings: HTTPSettings) throws(APIServerError) -> HTTPServerBuilder {
        guard let certificatePath = settings.tlsCertificate, let keyPath = settings.tlsKey else { return .http1() }
        let chain: [NIOSSLCertificate], key: NIOSSLPrivateKey
        do { chain = try NIOSSLCertificate.fromPEMFile(certificatePath) } catch {
            throw APIServerError(.badCertificate, "[http] tls-certificate: cannot read a PEM certificate from \(certificatePath): \(describeFile(error, certificatePath))")
        }
        guard !chain.isEmpty else { throw APIServerError(.badCertificate, "[http] tls-certificate: \(certificatePath) holds no PEM certificate") }
        do { key = try NIOSSLPrivateKey(file: keyPath, format: .pem) } catch {
            throw APIServerError(.badCertificate, "[http] tls-key: cannot read a PEM private key from \(keyPath): \(describeFile(error, keyPath))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do { return try .tls(.http1(), tlsConfiguration: configuration) } catch {
            throw APIServerError(.badCertificate, "[http] tls-certificate \(certificatePath) with tls-key \(keyPath): \(error)")
        }
    }

    private static func describeFile(_ error: any Error, _ path: String) -> String {
        guard FileManager.default.fileExists(atPath: path) else { return "no such file" }
        guard FileManager.default.isReadableFile(atPath: path) else { return "permission denied" }
        return "\(error)"
    }

    private static func describe(_ error: any Error) -> String {
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("EADDRINUSE") { return "the address is already in use by another program" }
        if text.contains("Cannot assign requested address") || text.contains("EADDRNOTAVAIL") { return "this machine has no such address" }
        if text.contains("Permission denied") || text.contains("EACCES") { return "permission denied (a port below 1024 needs privileges)" }
        return text
    }
}

/// Why the HTTP API could not start.
public struct APIServerError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case cannotListen
        /// `[http] tls-certificate` or `tls-key` cannot be read or do not belong together.
        case badCertificate
    }

    public let code: Code
    public let description: String

    init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }
}
