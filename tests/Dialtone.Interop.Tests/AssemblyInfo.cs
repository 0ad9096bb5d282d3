// One browser, real-time audio, two cores: tests run one at a time so their timing bounds hold.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
