package social

import (
	"context"

	"github.com/generia/generia/internal/generia"
)

// CostEstimate is what a new world's calls are likely to cost with the
// providers new worlds use, from what their paid calls cost lately.
type CostEstimate struct {
	Providers generia.Providers
	// LLM and Image average the providers' recent paid calls; Calls is 0
	// for the offline provider and for a provider with no paid call yet.
	LLM, Image generia.CallCost
}

// Free says new worlds cost nothing: both providers are the offline ones.
func (e CostEstimate) Free() bool { return e.Providers.Free() }

// Known says there is a price for every paid provider.
func (e CostEstimate) Known() bool {
	return (e.Providers.LLM == generia.OfflineProvider || e.LLM.Calls > 0) &&
		(e.Providers.Image == generia.OfflineProvider || e.Image.Calls > 0)
}

// USD forecasts the cost of llm calls and images at the recent averages.
func (e CostEstimate) USD(llm, images int) float64 {
	return float64(llm)*e.LLM.AverageUSD + float64(images)*e.Image.AverageUSD
}

// EstimateCost reads the recent prices of the providers new worlds use.
func (s *Service) EstimateCost(ctx context.Context) (CostEstimate, error) {
	e := CostEstimate{Providers: s.Providers}
	for _, p := range []struct {
		kind, provider string
		into           *generia.CallCost
	}{{generia.CallLLM, s.Providers.LLM, &e.LLM}, {generia.CallImage, s.Providers.Image, &e.Image}} {
		if p.provider == generia.OfflineProvider {
			continue
		}
		c, err := s.Store.RecentCallCost(ctx, p.kind, p.provider)
		if err != nil {
			return CostEstimate{}, err
		}
		*p.into = c
	}
	return e, nil
}
