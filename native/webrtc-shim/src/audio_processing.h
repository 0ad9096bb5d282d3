// dt_audio_processing_options <-> libwebrtc's AudioProcessing (APM) configuration.
#pragma once

#include "api/scoped_refptr.h"
#include "modules/audio_processing/include/audio_processing.h"
#include "webrtc_shim.h"

namespace dt {

// All switches on, moderate noise suppression: the defaults when the application gives none.
dt_audio_processing_options DefaultAudioProcessingOptions();

// Validates and copies a caller's options (NULL or struct_size 0: the defaults).
dt_audio_processing_options ReadAudioProcessingOptions(const dt_audio_processing_options* options);

rtc::scoped_refptr<webrtc::AudioProcessing> CreateAudioProcessing(const dt_audio_processing_options& options);

// Applies the switches to a running APM; it picks them up on its next 10 ms frame.
void ApplyAudioProcessing(webrtc::AudioProcessing& apm, const dt_audio_processing_options& options);

}  // namespace dt
