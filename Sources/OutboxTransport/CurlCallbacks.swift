import CCurl

/// libcurl's C callbacks. They cannot capture, so each reaches its ``TransferContext``
/// through the user data pointer (CURLOPT_READDATA, CURLOPT_DEBUGDATA).
enum CurlCallbacks {
    /// CURLOPT_READFUNCTION: feeds the message bytes.
    static let read: curl_read_callback = { buffer, size, count, userData in
        guard let buffer, let userData else { return Int(CURL_READFUNC_ABORT) }
        let context = Unmanaged<TransferContext>.fromOpaque(userData).takeUnretainedValue()
        return context.read(into: buffer, capacity: size * count)
    }

    /// CURLOPT_DEBUGFUNCTION: keeps server reply lines (CURLINFO_HEADER_IN) and nothing
    /// else. Commands and data sent (HEADER_OUT, DATA_OUT) carry credentials and message
    /// bodies: they are neither stored nor looked at. Replacing libcurl's default debug
    /// output also keeps CURLOPT_VERBOSE from printing anything.
    static let debug: curl_debug_callback = { _, type, data, size, userData in
        guard type == CURLINFO_HEADER_IN, let data, let userData else { return 0 }
        let context = Unmanaged<TransferContext>.fromOpaque(userData).takeUnretainedValue()
        context.receive(line: UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

    /// CURLOPT_PREREQFUNCTION: runs after the connection is made or reused (greeting, EHLO,
    /// STARTTLS and AUTH done) and before MAIL FROM; stops a message that needs SMTPUTF8
    /// from going to a server that does not offer it.
    static let prerequest: curl_prereq_callback = { userData, _, _, _, _ in
        guard let userData else { return CURL_PREREQFUNC_OK }
        let context = Unmanaged<TransferContext>.fromOpaque(userData).takeUnretainedValue()
        return context.mayStartTransaction() ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT
    }
}
