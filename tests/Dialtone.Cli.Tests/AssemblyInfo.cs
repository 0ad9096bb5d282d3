// The call tests run real libwebrtc media on a 2-core machine; one at a time keeps their timing honest.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
