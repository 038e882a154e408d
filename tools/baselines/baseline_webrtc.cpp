// SPDX-License-Identifier: MIT
// baseline-webrtc: WebRTC's noise suppressor (webrtc-audio-processing 0.3, the legacy
// webrtc::AudioProcessing API) as a Vocana baseline.
//
// Settings: only noise suppression, level kVeryHigh; echo cancellation (both), gain control,
// high-pass filter, level estimator and voice detection explicitly off. 48 kHz mono, 10 ms float
// frames through ProcessStream(src, StreamConfig, StreamConfig, dest). At 48 kHz the module
// splits the signal into three bands and suppresses the lower ones, which adds delay.
#include "baseline_io.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <webrtc/modules/audio_processing/include/audio_processing.h>

namespace {

int webrtc_configure(webrtc::AudioProcessing *apm)
{
	const webrtc::ProcessingConfig cfg = {{
		webrtc::StreamConfig(BL_SAMPLE_RATE_HZ, 1),   // input
		webrtc::StreamConfig(BL_SAMPLE_RATE_HZ, 1),   // output
		webrtc::StreamConfig(BL_SAMPLE_RATE_HZ, 1),   // reverse input (unused)
		webrtc::StreamConfig(BL_SAMPLE_RATE_HZ, 1),   // reverse output (unused)
	}};

	if (apm->Initialize(cfg) != webrtc::AudioProcessing::kNoError)
		return -EINVAL;
	if (apm->echo_cancellation()->Enable(false) != 0 ||
	    apm->echo_control_mobile()->Enable(false) != 0 ||
	    apm->gain_control()->Enable(false) != 0 ||
	    apm->high_pass_filter()->Enable(false) != 0 ||
	    apm->level_estimator()->Enable(false) != 0 ||
	    apm->voice_detection()->Enable(false) != 0)
		return -EINVAL;
	if (apm->noise_suppression()->set_level(webrtc::NoiseSuppression::kVeryHigh) != 0 ||
	    apm->noise_suppression()->Enable(true) != 0)
		return -EINVAL;
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	struct bl_args args;
	float *audio = nullptr;
	size_t n = 0;
	double busy_s = 0.0;
	int res;

	res = bl_parse_args(argc, argv, "baseline-webrtc",
			    "WebRTC noise suppression (kVeryHigh, NS only), 10 ms frames", &args);
	if (res < 0)
		return 2;
	res = bl_read_f32(args.in_path, &audio, &n);
	if (res < 0) {
		std::fprintf(stderr, "baseline-webrtc: %s: %s\n", args.in_path, std::strerror(-res));
		return 1;
	}

	{
		std::unique_ptr<webrtc::AudioProcessing> apm(webrtc::AudioProcessing::Create());
		const webrtc::StreamConfig stream(BL_SAMPLE_RATE_HZ, 1);

		res = apm ? webrtc_configure(apm.get()) : -ENOMEM;
		for (size_t pos = 0; res == 0 && pos < n; pos += BL_FRAME_SAMPLES) {
			float *frame = audio + pos;     // padded to whole frames by bl_read_f32
			const double t0 = bl_now_s();

			if (apm->ProcessStream(&frame, stream, stream, &frame) != webrtc::AudioProcessing::kNoError)
				res = -EIO;
			busy_s += bl_now_s() - t0;
		}
	}
	if (res == 0)
		res = bl_write_f32(args.out_path, audio, n);
	std::free(audio);
	if (res < 0) {
		std::fprintf(stderr, "baseline-webrtc: %s\n", std::strerror(-res));
		return 1;
	}
	if (args.report_timing)
		bl_report_timing("baseline-webrtc", n, busy_s);
	return 0;
}
