"""The plan list (计划清单): projects proposed by districts and approved by the city."""
