// Bad input gives the documented error codes with libwebrtc's message, and the connection still
// negotiates and connects afterwards.
#include <gtest/gtest.h>

#include "loopback_call.h"

using namespace dt_test;

TEST(NegotiationErrors, GarbageSdpIsAParseErrorAtOnce) {
  Peer a(VirtualDeviceOptions());
  DoneResult done;
  EXPECT_EQ(SetRemote(a.pc, DT_SDP_TYPE_OFFER, "this is not SDP", &done), DT_ERROR_SDP_PARSE);
  EXPECT_EQ(done.result, DT_ERROR_SDP_PARSE);
  EXPECT_NE(done.error, "");
  EXPECT_NE(done.error.find("SDP"), std::string::npos) << done.error;
  EXPECT_EQ(dt_peer_connection_set_remote_description(a.pc, DT_SDP_TYPE_OFFER, nullptr, nullptr, nullptr),
            DT_ERROR_INVALID_ARGUMENT);
}

TEST(NegotiationErrors, AnswerWithoutOfferIsRejectedThenACallStillWorks) {
  Peer a(VirtualDeviceOptions());
  Peer b(VirtualDeviceOptions());
  ASSERT_TRUE(a.AddAudio());
  SdpResult offer;
  ASSERT_EQ(CreateOffer(a.pc, &offer), DT_OK);
  ASSERT_EQ(offer.result, DT_OK) << offer.error;
  EXPECT_EQ(offer.type, DT_SDP_TYPE_OFFER);

  // B is stable: an answer makes no sense there.
  DoneResult done;
  ASSERT_EQ(SetRemote(b.pc, DT_SDP_TYPE_ANSWER, offer.sdp, &done), DT_OK);
  EXPECT_EQ(done.result, DT_ERROR_SDP_REJECTED);
  EXPECT_NE(done.error, "");
  // Nor can B create an answer.
  SdpResult answer;
  ASSERT_EQ(CreateAnswer(b.pc, &answer), DT_OK);
  EXPECT_EQ(answer.result, DT_ERROR_OPERATION_FAILED);
  EXPECT_NE(answer.error, "");
  dt_sdp_type type;
  size_t needed = 0;
  EXPECT_EQ(dt_peer_connection_get_remote_description(b.pc, &type, nullptr, 0, &needed), DT_ERROR_INVALID_STATE);

  std::string error;
  ASSERT_TRUE(Negotiate(a, b, true, &error)) << error;
  EXPECT_TRUE(WaitConnected(a, b, 15000));
}

TEST(NegotiationErrors, CandidatesForUnknownMLinesOrUnparseableAreIceErrors) {
  Peer a(VirtualDeviceOptions());
  Peer b(VirtualDeviceOptions());
  ASSERT_TRUE(a.AddAudio());
  std::string error;
  ASSERT_TRUE(Negotiate(a, b, true, &error)) << error;
  const std::string candidate = "candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host generation 0";

  DoneResult done;
  EXPECT_EQ(AddCandidate(a.pc, "nope", 7, candidate, &done), DT_OK);
  EXPECT_EQ(done.result, DT_ERROR_ICE_CANDIDATE);
  EXPECT_NE(done.error, "");

  done = {};
  EXPECT_EQ(AddCandidate(a.pc, "0", 0, "candidate:garbage", &done), DT_ERROR_ICE_CANDIDATE);
  EXPECT_NE(done.error, "");

  // A well-formed candidate for the real m-line, with the "a=" prefix, is accepted.
  done = {};
  EXPECT_EQ(AddCandidate(a.pc, "0", 0, "a=" + candidate, &done), DT_OK);
  EXPECT_EQ(done.result, DT_OK) << done.error;

  EXPECT_TRUE(WaitConnected(a, b, 15000));
}

TEST(NegotiationErrors, IceRestartRenegotiatesWithNewCredentials) {
  Peer a(VirtualDeviceOptions());
  Peer b(VirtualDeviceOptions());
  ASSERT_TRUE(a.AddAudio());
  std::string error, offer1, offer2;
  ASSERT_TRUE(Negotiate(a, b, true, &error, &offer1)) << error;
  ASSERT_TRUE(WaitConnected(a, b, 15000));
  int before = 0;
  {
    std::lock_guard lock(a.mutex);
    before = a.negotiation_needed;
  }
  ASSERT_EQ(dt_peer_connection_restart_ice(a.pc), DT_OK);
  EXPECT_TRUE(a.WaitFor([&] { return a.negotiation_needed > before; }, 5000));
  auto ufrag = [](const std::string& sdp) {
    auto at = sdp.find("a=ice-ufrag:");
    return at == std::string::npos ? std::string() : sdp.substr(at, sdp.find('\r', at) - at);
  };
  SdpResult offer;
  ASSERT_EQ(CreateOffer(a.pc, &offer), DT_OK);
  ASSERT_EQ(offer.result, DT_OK);
  EXPECT_NE(ufrag(offer.sdp), ufrag(offer1));
  EXPECT_NE(ufrag(offer.sdp), "");
}
