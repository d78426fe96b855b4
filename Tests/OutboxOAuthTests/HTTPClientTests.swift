import OutboxTestSupport
import OutboxTransport
import Testing

/// The libcurl HTTP client's own limits.
struct HTTPClientTests {
    @Test func responseBodiesAreCapped() throws {
        try LoopbackServer.with("oauth_server.py") { server in
            // The device-code answer is a few hundred bytes: a 64-byte cap must refuse it.
            let request = HTTPRequest(method: .post, url: server.url + "/organizations/oauth2/v2.0/devicecode",
                                      headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                      body: Array("client_id=test-client&scope=x".utf8), maximumResponseBytes: 64)
            #expect(throws: HTTPClientError(.responseTooLarge, "the response from 127.0.0.1 is larger than 64 bytes")) {
                try HTTPClient.perform(request)
            }
            var roomy = request
            roomy.maximumResponseBytes = 4096
            let response = try HTTPClient.perform(roomy)
            #expect(response.status == 200 && response.header("content-type") == "application/json")
        }
    }
}
