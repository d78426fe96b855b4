import Testing

@Test func oauthTargetBuilds() {}
