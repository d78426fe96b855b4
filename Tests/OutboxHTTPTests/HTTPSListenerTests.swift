import Foundation
import OutboxTestSupport
import Testing

/// `[http] tls-certificate` and `tls-key`: serve speaks HTTPS itself, verified by Python's
/// http.client against a self-signed certificate for 127.0.0.1; a bad path or a file that
/// is not PEM, or a key of another certificate, stops serve at start with the key and the file named.
@Suite(.timeLimit(.minutes(10))) struct HTTPSListenerTests {
    @Test func theListenerSpeaksHTTPSWithTheConfiguredCertificate() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try TestCertificate.generate(in: directory)
        let certificate = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        let serve = try APIServe(http: "tls-certificate = \(certificate)\ntls-key = \(key)\n")
        defer { serve.stop() }
        #expect(serve.log.contains("(HTTPS)"))
        let token = try serve.token("erp")
        let reply = try serve.call("GET", "/v1/events", token: token, caFile: certificate)
        #expect(reply.status == 200, "\(reply.body)")
        let login = try serve.call("POST", "/status/login", token: nil, body: "token=\(token)",
                                   headers: ["Content-Type": "application/x-www-form-urlencoded"], caFile: certificate)
        #expect(login.headers["set-cookie"]?.contains("Secure") == true, "over HTTPS the status cookie is Secure")
        // Plain HTTP on the same port gets no answer from the API.
        #expect(throws: (any Error).self) { try serve.call("GET", "/v1/events", token: token) }
    }

    @Test func aMissingOrNonPEMCertificateStopsServeWithAClearError() throws {
        let workspace = try Workspace()
        defer { workspace.cleanUp() }
        let notPEM = try workspace.write("key.pem", "not a key\n")
        for (certificate, key, expected) in [
            ("/nonexistent/cert.pem", notPEM, "[http] tls-certificate: cannot read a PEM certificate from /nonexistent/cert.pem: no such file"),
            (notPEM, notPEM, "[http] tls-certificate: cannot read a PEM certificate from \(notPEM)"),
        ] {
            let config = try workspace.write("outbox.conf", "[http]\nlisten = 127.0.0.1:0\ntls-certificate = \(certificate)\ntls-key = \(key)\n")
            let result = try workspace.outbox.run(["serve", "--config", config, "--db", workspace.directory + "/outbox.db"])
            #expect(result.status != 0)
            #expect(result.stderr.contains(expected), "\(result.stderr)")
        }
        // A key that belongs to another certificate.
        let other = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: other) }
        try TestCertificate.generate(in: URL(fileURLWithPath: workspace.directory))
        try TestCertificate.generate(in: other)
        let mismatched = try workspace.write("outbox.conf", "[http]\nlisten = 127.0.0.1:0\ntls-certificate = \(workspace.directory)/cert.pem\ntls-key = \(other.path)/key.pem\n")
        let refused = try workspace.outbox.run(["serve", "--config", mismatched, "--db", workspace.directory + "/outbox.db"])
        #expect(refused.status != 0 && refused.stderr.contains("[http] tls-key: the key in \(other.path)/key.pem does not belong to the certificate"), "\(refused.stderr)")

        let half = try workspace.write("outbox.conf", "[http]\nlisten = 127.0.0.1:0\ntls-key = \(notPEM)\n")
        let result = try workspace.outbox.run(["serve", "--config", half, "--db", workspace.directory + "/outbox.db"])
        #expect(result.status != 0 && result.stderr.contains("[http] tls-key needs 'tls-certificate' as well"), "\(result.stderr)")
    }
}
