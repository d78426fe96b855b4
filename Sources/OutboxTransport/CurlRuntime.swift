import CCurl

/// libcurl's process-wide initialisation, done once before the first handle is made.
public enum CurlRuntime {
    private static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Initialises libcurl if needed; returns false when libcurl could not be initialised.
    @discardableResult
    public static func ensureInitialised() -> Bool { initialised }

    /// The libcurl version string, e.g. `libcurl/7.88.1 OpenSSL/3.0.17 …`.
    public static var version: String { String(cString: curl_version()) }
}
